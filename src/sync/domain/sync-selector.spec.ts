import type { FlagdDocument } from '../../flags/domain/flag-document';
import { parseSyncSelector, selectorKey, syncView } from './sync-selector';

const flag = (variant: string) => ({ state: 'ENABLED' as const, variants: { [variant]: { v: variant } }, defaultVariant: variant });
const DOCUMENT: FlagdDocument = {
  $schema: 'https://flagd.dev/schema/v0/flags.json',
  flags: { alpha: flag('v1'), beta: flag('v2'), gamma: flag('v3') },
  metadata: { flagSetId: 'promptflag', version: 'doc-1' },
};

describe(parseSyncSelector.name, () => {
  it.each([
    [undefined, null],
    ['', null],
    [' , ', null],
    ['alpha', ['alpha']],
    [' beta , alpha,beta ', ['alpha', 'beta']],
  ])('%j selects %j', (raw, expected) => {
    const parsed = parseSyncSelector(raw);
    expect(parsed.ok).toBe(true);
    if (parsed.ok) expect(parsed.selector === null ? null : [...parsed.selector].sort()).toEqual(expected);
  });

  it('refuses entries that are not slugs, naming them', () => {
    expect(parseSyncSelector('alpha,source=database')).toEqual({ ok: false, message: expect.stringContaining('"source=database"') });
  });
});

describe(syncView.name, () => {
  it('sends the whole document without the document-wide version', () => {
    const view = syncView(DOCUMENT, null);
    expect(view.version).toBe('doc-1');
    expect(view.document).toEqual({ $schema: DOCUMENT.$schema, flags: DOCUMENT.flags, metadata: { flagSetId: 'promptflag' } });
  });

  it('selects a subset whose version changes only with its own flags', () => {
    const selector = new Set(['gamma', 'alpha', 'missing']);
    const view = syncView(DOCUMENT, selector);
    expect(Object.keys(view.document.flags)).toEqual(['alpha', 'gamma']);
    const betaChanged = syncView({ ...DOCUMENT, flags: { ...DOCUMENT.flags, beta: flag('v9') }, metadata: { ...DOCUMENT.metadata, version: 'doc-2' } }, selector);
    expect(betaChanged.version).toBe(view.version);
    const alphaChanged = syncView({ ...DOCUMENT, flags: { ...DOCUMENT.flags, alpha: flag('v9') } }, selector);
    expect(alphaChanged.version).not.toBe(view.version);
    expect(selectorKey(selector)).toBe(selectorKey(new Set(['missing', 'alpha', 'gamma'])));
  });
});
