import { UnprocessableError } from '../../common/domain/domain-error';
import { buildFlagDocument, FLAGD_SCHEMA_URL, validateFlagDocument, type FlagdFlagDefinition } from './flag-document';
import { InvalidFlagDocumentError } from './flags.errors';
import { promptFlag } from './testing/prompt-fixtures';

function problemsOf(doc: unknown): InvalidFlagDocumentError {
  try {
    validateFlagDocument(doc);
  } catch (err) {
    if (err instanceof InvalidFlagDocumentError) return err;
    throw err;
  }
  throw new Error('expected the document to be refused');
}

const objectValue = { slug: 's', version: 1 };
const doc = (flag: unknown) => ({ $schema: FLAGD_SCHEMA_URL, flags: { s: flag } });

describe(buildFlagDocument.name, () => {
  it('wraps flags with the flags.json $schema and promptflag flag-set metadata', () => {
    const flags = { greeting: promptFlag('greeting', 1, { allocation: [], rules: [] }) };
    const sut = buildFlagDocument(flags, { version: '42' });

    expect(sut).toEqual({
      $schema: 'https://flagd.dev/schema/v0/flags.json',
      flags,
      metadata: { flagSetId: 'promptflag', version: '42' },
    });
    expect(() => validateFlagDocument(sut)).not.toThrow();
  });

  it('always sets flagSetId to promptflag', () => {
    expect(buildFlagDocument({}, { version: '1', flagSetId: 'other' }).metadata.flagSetId).toBe('promptflag');
  });
});

describe(validateFlagDocument.name, () => {
  it('accepts a document with prompt flags of every targeting shape', () => {
    const flags: Record<string, FlagdFlagDefinition> = {
      none: promptFlag('none', 1, { allocation: [], rules: [] }),
      split: promptFlag('split', 1, { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 9 }], rules: [] }),
      rules: promptFlag('rules', 1, { allocation: [], rules: [{ match: { tenant: ['a'] }, version: 2 }] }),
      bucketed: promptFlag('bucketed', 1, {
        allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }],
        rules: [{ match: { tenant: ['a'], 'user.plan': ['pro', 'team'] }, version: 3 }],
        bucketBy: 'sessionId',
      }),
      killed: promptFlag('killed', 1, { allocation: [{ version: 2, weight: 1 }], rules: [] }, { killedTo: 1 }),
    };
    expect(() => validateFlagDocument(buildFlagDocument(flags, { version: 'x' }))).not.toThrow();
  });

  it('accepts string-variant flags (any valid flagd flag)', () => {
    expect(() =>
      validateFlagDocument(doc({ state: 'ENABLED', variants: { a: 'a', b: 'b' }, defaultVariant: 'a' })),
    ).not.toThrow();
  });

  it.each<[string, unknown, string, RegExp]>([
    [
      'defaultVariant not among the variants',
      doc({ state: 'ENABLED', variants: { v1: objectValue }, defaultVariant: 'v9' }),
      '/flags/s/defaultVariant',
      /"v9" is not one of the variants \(v1\)/,
    ],
    [
      'mixed variant types',
      doc({ state: 'ENABLED', variants: { v1: objectValue, v2: 'text' }, defaultVariant: 'v1' }),
      '/flags/s/variants',
      /one type.*v1: object, v2: string/,
    ],
    [
      'an array value',
      doc({ state: 'ENABLED', variants: { v1: [1, 2] }, defaultVariant: 'v1' }),
      '/flags/s/variants',
      /v1: array/,
    ],
    [
      'a null value',
      doc({ state: 'ENABLED', variants: { v1: null }, defaultVariant: 'v1' }),
      '/flags/s/variants',
      /v1: null/,
    ],
    [
      'an unknown state',
      doc({ state: 'ON', variants: { v1: objectValue }, defaultVariant: 'v1' }),
      '/flags/s/state',
      /allowed values: ENABLED, DISABLED/,
    ],
    ['a missing state', doc({ variants: { v1: objectValue } }), '/flags/s', /required property 'state'/],
    ['no variants', doc({ state: 'ENABLED', variants: {} }), '/flags/s/variants', /fewer than 1/],
    [
      'an unknown JSON Logic operator',
      doc({ state: 'ENABLED', variants: { v1: objectValue }, defaultVariant: 'v1', targeting: { frob: [1] } }),
      '/flags/s/targeting',
      /additional properties: "frob"/,
    ],
    [
      'a reserved $flagd variable',
      doc({ state: 'ENABLED', variants: { v1: objectValue }, defaultVariant: 'v1', targeting: { var: '$flagd.x' } }),
      '/flags/s/targeting/var',
      /must match pattern/,
    ],
    [
      'an object metadata value',
      doc({ state: 'ENABLED', variants: { v1: objectValue }, defaultVariant: 'v1', metadata: { a: {} } }),
      '/flags/s/metadata/a',
      /string,number,boolean/,
    ],
    ['no flags', { metadata: {} }, '/', /required property 'flags'/],
    ['flags as a list', { flags: [] }, '/flags', /must be object/],
    ['not an object', 'flags', '/', /must be object/],
  ])('refuses %s', (_name, input, path, message) => {
    const err = problemsOf(input);

    expect(err).toBeInstanceOf(UnprocessableError);
    expect(err.code).toBe('UNPROCESSABLE');
    expect(err.problems).toContainEqual({ path, message: expect.stringMatching(message) });
    expect(err.message).toContain(path);
    expect(err.details).toEqual({ problems: err.problems });
  });
});
