import fc from 'fast-check';
import { sha256Hex } from '../../common/domain/canonical-hash';
import { contentHash } from './content-hash';
import type { PromptContent, VariableDeclaration } from './prompt-version';

const FIXTURE: PromptContent = {
  template: 'Summarise {{document}} for {{audience}}.\n{{! tone: neutral }}',
  variables: [{ name: 'document', required: true, description: 'The text to summarise' }, { name: 'audience' }],
  modelHint: 'gpt-4o-mini',
};

/** Rebuilds every object with its keys in reverse insertion order. */
function reverseKeys<T>(value: T): T {
  if (Array.isArray(value)) return value.map(reverseKeys) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value)
        .reverse()
        .map(([k, v]) => [k, reverseKeys(v)]),
    ) as T;
  }
  return value;
}

const variableArb: fc.Arbitrary<VariableDeclaration> = fc.record(
  { name: fc.string({ maxLength: 6 }), required: fc.boolean(), description: fc.string({ maxLength: 6 }) },
  { requiredKeys: ['name'] },
);
const contentArb: fc.Arbitrary<PromptContent> = fc.record({
  template: fc.string({ maxLength: 40 }),
  variables: fc.array(variableArb, { maxLength: 6 }),
  modelHint: fc.string({ maxLength: 8 }),
});

describe(contentHash.name, () => {
  // Pinned once (computed independently with Python's hashlib over the preimage below). If this fails, every stored
  // version would get a new hash: that is a data migration, not a refactor.
  it('is pinned for a known content', () => {
    expect(contentHash(FIXTURE)).toBe('1de7cb0dee06d0f29c0d633cbfc41d690ea3bea306df7e853b4409bdd691bb55');
  });

  it('hashes the RFC 8785 form of template, normalised and sorted variables, and modelHint', () => {
    const preimage =
      '{"modelHint":"gpt-4o-mini","template":"Summarise {{document}} for {{audience}}.\\n{{! tone: neutral }}",' +
      '"variables":[{"name":"audience","required":false},' +
      '{"description":"The text to summarise","name":"document","required":true}]}';
    expect(contentHash(FIXTURE)).toBe(sha256Hex(preimage));
  });

  it('is pinned for empty content', () => {
    expect(contentHash({ template: '', variables: [], modelHint: '' })).toBe(
      'ea1cb47850a5bb97d1328037db2931ccc19235e268b4c029b5ba9df04c09052a',
    );
  });

  it('returns 64 lowercase hex characters', () => {
    fc.assert(fc.property(contentArb, (content) => expect(contentHash(content)).toMatch(/^[0-9a-f]{64}$/)));
  });

  it('does not depend on the order of variables', () => {
    fc.assert(
      fc.property(
        contentArb.chain((content) =>
          fc.tuple(fc.constant(content), fc.shuffledSubarray(content.variables, { minLength: content.variables.length })),
        ),
        ([content, shuffled]) => {
          expect(contentHash({ ...content, variables: shuffled })).toBe(contentHash(content));
        },
      ),
    );
  });

  it('does not depend on the key order of any object', () => {
    fc.assert(fc.property(contentArb, (content) => expect(contentHash(reverseKeys(content))).toBe(contentHash(content))));
  });

  it('treats an absent `required` as false, and ignores fields it does not know', () => {
    const loose = { ...FIXTURE, variables: [FIXTURE.variables[0], { name: 'audience', required: false, extra: 1 }] };
    expect(contentHash(loose as PromptContent)).toBe(contentHash(FIXTURE));
    const withExtraTopLevel = { ...FIXTURE, rationale: 'why', evalHash: 'abc' };
    expect(contentHash(withExtraTopLevel)).toBe(contentHash(FIXTURE));
  });

  it.each<[string, PromptContent]>([
    ['template', { ...FIXTURE, template: FIXTURE.template + ' ' }],
    ['template line endings', { ...FIXTURE, template: FIXTURE.template.replace('\n', '\r\n') }],
    ['modelHint', { ...FIXTURE, modelHint: 'gpt-4o' }],
    ['a required flag', { ...FIXTURE, variables: [FIXTURE.variables[0], { name: 'audience', required: true }] }],
    ['a description', { ...FIXTURE, variables: [FIXTURE.variables[0], { name: 'audience', description: '' }] }],
    ['a variable name', { ...FIXTURE, variables: [FIXTURE.variables[0], { name: 'Audience' }] }],
    ['the variable set', { ...FIXTURE, variables: [FIXTURE.variables[0]] }],
  ])('changes when the %s changes', (_what, changed) => {
    expect(contentHash(changed)).not.toBe(contentHash(FIXTURE));
  });

  it('does not confuse fields with each other', () => {
    expect(contentHash({ template: 'a', variables: [], modelHint: '' })).not.toBe(
      contentHash({ template: '', variables: [], modelHint: 'a' }),
    );
  });

  it('tells distinct lone surrogates apart (no lossy UTF-8 replacement)', () => {
    const a = contentHash({ template: '\ud800', variables: [], modelHint: '' });
    const b = contentHash({ template: '\udfff', variables: [], modelHint: '' });
    const c = contentHash({ template: '\ufffd', variables: [], modelHint: '' });
    expect(new Set([a, b, c]).size).toBe(3);
  });

  it('is order-independent even with duplicate names (a lint error, but the hash must stay a function)', () => {
    const x = { name: 'a', description: 'x' };
    const y = { name: 'a', required: true };
    expect(contentHash({ ...FIXTURE, variables: [x, y] })).toBe(contentHash({ ...FIXTURE, variables: [y, x] }));
  });

  it('does not mutate its input', () => {
    const content = structuredClone(FIXTURE);
    contentHash(content);
    expect(content).toEqual(FIXTURE);
  });
});
