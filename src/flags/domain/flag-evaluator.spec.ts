import * as fc from 'fast-check';
import { FlagdCore, MemoryStorage } from '@openfeature/flagd-core';
import type { EvaluationContext } from '@openfeature/core';
import { validateFlagDocument, type FlagdFlagDefinition } from './flag-document';
import { PromptFlagEvaluator, isFlagEvaluationError, type FlagEvaluation, type FlagResolution } from './flag-evaluator';
import { InvalidFlagDocumentError } from './flags.errors';
import { promptFlag } from './testing/prompt-fixtures';

const split = { allocation: [{ version: 2, weight: 50 }, { version: 1, weight: 50 }], rules: [] };
const rules = { allocation: [], rules: [{ match: { tenant: ['acme'] }, version: 3 }] };
const resolved = (e: FlagEvaluation): FlagResolution => {
  if (isFlagEvaluationError(e) || e.value === undefined) throw new Error(`expected a value, got ${JSON.stringify(e)}`);
  return e;
};

describe(PromptFlagEvaluator.name, () => {
  let sut: PromptFlagEvaluator;
  beforeEach(() => {
    sut = new PromptFlagEvaluator();
  });

  it('answers FLAG_NOT_FOUND for an unknown slug', () => {
    expect(sut.evaluate('nope', { targetingKey: 'u' })).toEqual({ errorCode: 'FLAG_NOT_FOUND', message: "flag 'nope' not found" });
  });

  describe('reasons (as flagd-core 4.0.1 reports them)', () => {
    it('STATIC without targeting', () => {
      sut.set('s', promptFlag('s', 4, { allocation: [], rules: [] }));
      expect(sut.evaluate('s', { targetingKey: 'u' })).toMatchObject({ variant: 'v4', reason: 'STATIC' });
      expect(sut.evaluate('s', {})).toMatchObject({ variant: 'v4', reason: 'STATIC' });
    });

    it('TARGETING_MATCH for a split (flagd-core never says SPLIT)', () => {
      sut.set('s', promptFlag('s', 1, split));
      expect(resolved(sut.evaluate('s', { targetingKey: 'u' })).reason).toBe('TARGETING_MATCH');
    });

    it('DEFAULT for a split without a targeting key', () => {
      sut.set('s', promptFlag('s', 1, split));
      expect(sut.evaluate('s', {})).toMatchObject({ variant: 'v1', reason: 'DEFAULT' });
    });

    it('TARGETING_MATCH for a rule, DEFAULT when no rule matches and there is no split', () => {
      sut.set('s', promptFlag('s', 1, rules));
      expect(sut.evaluate('s', { tenant: 'acme' })).toMatchObject({ variant: 'v3', reason: 'TARGETING_MATCH' });
      expect(sut.evaluate('s', { targetingKey: 'u', tenant: 'other' })).toMatchObject({ variant: 'v1', reason: 'DEFAULT' });
    });

    it('STATIC for a kill', () => {
      sut.set('s', promptFlag('s', 1, { ...split, rules: rules.rules }, { killedTo: 2 }));
      expect(sut.evaluate('s', { targetingKey: 'u', tenant: 'acme' })).toMatchObject({ variant: 'v2', reason: 'STATIC' });
    });
  });

  it('returns the version body and the flag metadata merged over flagSetId', () => {
    const flag = promptFlag('greeting', 1, { allocation: [], rules: [] }, { revision: 12 });
    sut.set('greeting', flag);

    expect(sut.evaluate('greeting', { targetingKey: 'u' })).toEqual({
      variant: 'v1',
      value: flag.variants['v1'],
      reason: 'STATIC',
      flagMetadata: { flagSetId: 'promptflag', slug: 'greeting', revision: 12, baseline: 1 },
    });
  });

  it('hands out frozen values, unaffected by later changes to the flag it was given', () => {
    const flag = promptFlag('s', 1, { allocation: [], rules: [] });
    sut.set('s', flag);
    flag.variants['v1']!.template = 'changed by the caller';

    const { value, flagMetadata } = resolved(sut.evaluate('s', {}));
    expect((value as { template: string }).template).not.toBe('changed by the caller');
    expect(Object.isFrozen(value)).toBe(true);
    expect(Object.isFrozen((value as { requiredVariables: string[] }).requiredVariables)).toBe(true);
    expect(Object.isFrozen(flagMetadata)).toBe(true);
  });

  it('refuses an invalid flag and keeps serving the previous one', () => {
    sut.set('s', promptFlag('s', 1, { allocation: [], rules: [] }));

    for (const bad of [
      { state: 'ENABLED', variants: { v1: { a: 1 } }, defaultVariant: 'v2' },
      { state: 'ENABLED', variants: { v1: { a: 1 }, v2: 'two' }, defaultVariant: 'v1' },
      { state: 'ENABLED', variants: { v1: [1] }, defaultVariant: 'v1' },
      { state: 'ENABLED', variants: { v1: { a: 1 } }, defaultVariant: 'v1', targeting: { nope: [] } },
    ]) {
      expect(() => sut.set('s', bad as FlagdFlagDefinition)).toThrow(InvalidFlagDocumentError);
    }
    expect(sut.evaluate('s', {})).toMatchObject({ variant: 'v1', reason: 'STATIC' });
  });

  it('validates and compiles only the flag being set', () => {
    sut.set('a', promptFlag('a', 1, split));
    const spy = jest.spyOn(MemoryStorage.prototype, 'setConfigurations');
    try {
      sut.set('b', promptFlag('b', 1, split));

      expect(spy).toHaveBeenCalledTimes(1);
      expect(spy.mock.calls[0]?.[1]).toBe(true); // strict validation
      expect(Object.keys(JSON.parse(spy.mock.calls[0]![0]).flags)).toEqual(['b']);
    } finally {
      spy.mockRestore();
    }
  });

  it('deletes', () => {
    sut.set('s', promptFlag('s', 1, split));
    expect(sut.delete('s')).toBe(true);
    expect(sut.delete('s')).toBe(false);
    expect(sut.has('s')).toBe(false);
    expect(sut.evaluate('s', { targetingKey: 'u' })).toMatchObject({ errorCode: 'FLAG_NOT_FOUND' });
  });

  it('answers a DISABLED flag without a value (the caller uses its code default)', () => {
    sut.set('d', { state: 'DISABLED', variants: { on: true, off: false }, defaultVariant: 'on' });
    expect(sut.evaluate('d', { targetingKey: 'u' })).toEqual({ reason: 'DISABLED', flagMetadata: { flagSetId: 'promptflag' } });
  });

  it('answers a flag with no default variant without a value when targeting picks none', () => {
    sut.set('n', { state: 'ENABLED', variants: { a: 'a' }, defaultVariant: null });
    expect(sut.evaluate('n', {})).toEqual({ reason: 'DEFAULT', flagMetadata: { flagSetId: 'promptflag' } });
  });

  it('replaces all flags at once, or none', () => {
    sut.set('old', promptFlag('old', 1, split));
    expect(() =>
      sut.replaceAll({ a: promptFlag('a', 1, split), b: { state: 'ENABLED', variants: {}, defaultVariant: 'x' } as FlagdFlagDefinition }),
    ).toThrow(InvalidFlagDocumentError);
    expect([...sut.keys()]).toEqual(['old']);

    sut.replaceAll({ a: promptFlag('a', 1, split), b: promptFlag('b', 1, rules) });
    expect([...sut.keys()].sort()).toEqual(['a', 'b']);
  });

  describe('exportDocument', () => {
    const flags = {
      beta: promptFlag('beta', 1, { ...split, bucketBy: 'sessionId' }),
      alpha: promptFlag('alpha', 2, rules),
      killed: promptFlag('killed', 1, split, { killedTo: 2 }),
    };

    it('returns a valid flagd document with every flag as it was set, keys sorted', () => {
      for (const [key, flag] of Object.entries(flags)) sut.set(key, flag);

      const doc = sut.exportDocument();

      expect(() => validateFlagDocument(doc)).not.toThrow();
      expect(doc.$schema).toBe('https://flagd.dev/schema/v0/flags.json');
      expect(Object.keys(doc.flags)).toEqual(['alpha', 'beta', 'killed']);
      expect(JSON.parse(JSON.stringify(doc.flags))).toEqual(JSON.parse(JSON.stringify(flags)));
      expect(doc.metadata).toEqual({ flagSetId: 'promptflag', version: expect.stringMatching(/^[0-9a-f]{64}$/) });
    });

    it('versions the document by content: same flags, same version; any change, a new one', () => {
      const other = new PromptFlagEvaluator();
      for (const [key, flag] of Object.entries(flags)) sut.set(key, flag);
      for (const [key, flag] of Object.entries(flags).reverse()) other.set(key, flag);
      const version = sut.exportDocument().metadata.version;

      expect(other.exportDocument().metadata.version).toBe(version);
      expect(sut.exportDocument()).toBe(sut.exportDocument()); // cached until a change

      sut.set('alpha', promptFlag('alpha', 2, rules, { revision: 2 }));
      expect(sut.exportDocument().metadata.version).not.toBe(version);
      sut.delete('alpha');
      expect(Object.keys(sut.exportDocument().flags)).toEqual(['beta', 'killed']);
      expect(sut.exportDocument('v-7').metadata.version).toBe('v-7');
    });
  });

  it('agrees with a plain FlagdCore fed the exported document, for 10,000 seeded random users', () => {
    const slugs = {
      canary: promptFlag('canary', 1, { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 99 }], rules: [] }),
      ab: promptFlag('ab', 3, {
        allocation: [{ version: 3, weight: 50 }, { version: 4, weight: 50 }],
        rules: [{ match: { tenant: ['acme', 'globex'], plan: ['enterprise'] }, version: 5 }],
      }),
      sessions: promptFlag('sessions', 1, {
        allocation: [{ version: 1, weight: 1 }, { version: 2, weight: 1 }, { version: 3, weight: 2 }],
        rules: [{ match: { tenant: ['initech'] }, version: 4 }],
        bucketBy: 'sessionId',
      }),
      pinned: promptFlag('pinned', 1, rules),
      killed: promptFlag('killed', 1, split, { killedTo: 2 }),
      fine: promptFlag('fine', 1, { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 2_147_483_646 }], rules: [] }),
    };
    for (const [key, flag] of Object.entries(slugs)) sut.set(key, flag);
    const core = new FlagdCore();
    core.setConfigurations(JSON.stringify(sut.exportDocument()));

    const keys = fc.sample(fc.oneof(fc.uuid(), fc.emailAddress(), fc.string({ maxLength: 24 }), fc.string({ unit: 'grapheme', maxLength: 8 })), {
      seed: 20260501,
      numRuns: 10_000,
    });
    const tenants = [undefined, 'acme', 'globex', 'initech', 'other'];
    const mismatches: unknown[] = [];
    const seen = new Set<string>();
    keys.forEach((targetingKey, i) => {
      const context: EvaluationContext = { targetingKey };
      const tenant = tenants[i % tenants.length];
      if (tenant !== undefined) context['tenant'] = tenant;
      if (i % 3 === 0) context['plan'] = 'enterprise';
      if (i % 4 === 0) context['sessionId'] = `session-${i >> 3}`;
      for (const slug of Object.keys(slugs)) {
        const ours = sut.evaluate(slug, context) as FlagResolution;
        const theirs = core.resolveObjectEvaluation(slug, {}, context);
        seen.add(`${slug}:${ours.variant}`);
        if (ours.variant !== theirs.variant || ours.reason !== theirs.reason || JSON.stringify(ours.value) !== JSON.stringify(theirs.value)) {
          mismatches.push({ slug, context, ours: [ours.variant, ours.reason], theirs: [theirs.variant, theirs.reason] });
        }
      }
    });

    expect(mismatches).toEqual([]);
    // the sample exercised every variant of every slug (the 1-in-2^31 one aside)
    expect([...seen].sort()).toEqual(
      ['ab:v3', 'ab:v4', 'ab:v5', 'canary:v1', 'canary:v2', 'fine:v1', 'killed:v2', 'pinned:v1', 'pinned:v3'].concat(
        ['sessions:v1', 'sessions:v2', 'sessions:v3', 'sessions:v4'],
      ).sort(),
    );
  });
});
