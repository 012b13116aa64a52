import * as fc from 'fast-check';
import { contentHash } from '../../registry/domain/content-hash';
import type { RolloutSpec } from '../../rollout/domain/rollout';
import { validateFlagDocument } from './flag-document';
import { PromptFlagBuildError } from './flags.errors';
import { buildFlagDocument, buildPromptFlag, declarationsOfValue, promptFlagValue, variantName, versionOfVariant } from './prompt-flag';
import { arbRollout } from './testing/arbitraries';
import { promptVersion, versionsFor } from './testing/prompt-fixtures';

const SLUG = 'greeting';
const v = (n: number) => promptVersion(SLUG, n);
const build = (rollout: RolloutSpec, killedTo?: number) =>
  buildPromptFlag({
    slug: SLUG,
    revision: 7,
    baseline: v(1),
    trafficVersions: [v(2), v(3), v(4)],
    rollout,
    ...(killedTo !== undefined ? { killedTo: v(killedTo) } : {}),
  });

describe(buildPromptFlag.name, () => {
  it('serves the baseline statically when nothing is rolled out', () => {
    const sut = build({ allocation: [], rules: [] });

    expect(sut).toEqual({
      state: 'ENABLED',
      defaultVariant: 'v1',
      variants: {
        v1: {
          slug: SLUG,
          version: 1,
          template: v(1).template,
          modelHint: v(1).modelHint,
          contentHash: v(1).contentHash,
          requiredVariables: ['name'],
          optionalVariables: [],
        },
      },
      metadata: { slug: SLUG, revision: 7, baseline: 1 },
    });
    expect(sut).not.toHaveProperty('targeting');
  });

  it('splits with the fractional shorthand (flagKey + targetingKey) in allocation order', () => {
    const sut = build({ allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 9999 }], rules: [] });

    expect(sut.targeting).toEqual({ fractional: [['v2', 1], ['v1', 9999]] });
    expect(Object.keys(sut.variants)).toEqual(['v1', 'v2']);
    expect(sut.defaultVariant).toBe('v1');
  });

  it('puts rules first, each an "and" of "in" clauses, then the split', () => {
    const sut = build({
      allocation: [{ version: 2, weight: 50 }, { version: 1, weight: 50 }],
      rules: [
        { name: 'acme', match: { tenant: ['acme', 'globex'], 'user.plan': ['pro'] }, version: 3 },
        { match: { locale: ['de-DE'] }, version: 4 },
      ],
    });

    expect(sut.targeting).toEqual({
      if: [
        { and: [{ in: [{ var: 'tenant' }, ['acme', 'globex']] }, { in: [{ var: 'user.plan' }, ['pro']] }] },
        'v3',
        { and: [{ in: [{ var: 'locale' }, ['de-DE']] }] },
        'v4',
        { fractional: [['v2', 50], ['v1', 50]] },
      ],
    });
    expect(Object.keys(sut.variants)).toEqual(['v1', 'v2', 'v3', 'v4']);
  });

  it('ends the rules with null (the default variant) when there is no split', () => {
    const sut = build({ allocation: [], rules: [{ match: { tenant: ['acme'] }, version: 3 }] });

    expect(sut.targeting).toEqual({ if: [{ and: [{ in: [{ var: 'tenant' }, ['acme']] }] }, 'v3', null] });
  });

  it('buckets by an attribute, falling back to the targeting key when the attribute is missing', () => {
    const sut = build({ allocation: [{ version: 2, weight: 3 }, { version: 1, weight: 7 }], rules: [], bucketBy: 'sessionId' });

    expect(sut.targeting).toEqual({
      if: [
        { var: 'sessionId' },
        { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 'sessionId' }] }, ['v2', 3], ['v1', 7]] },
        { fractional: [['v2', 3], ['v1', 7]] },
      ],
    });
  });

  it('publishes a kill as the default variant with no targeting, still ENABLED', () => {
    const sut = build(
      { allocation: [{ version: 2, weight: 50 }, { version: 1, weight: 50 }], rules: [{ match: { t: ['a'] }, version: 3 }] },
      4,
    );

    expect(sut.state).toBe('ENABLED');
    expect(sut.defaultVariant).toBe('v4');
    expect(sut).not.toHaveProperty('targeting');
    expect(sut.metadata).toEqual({ slug: SLUG, revision: 7, baseline: 1, killedTo: 4 });
    // Only what can serve (and the baseline metadata names): each variant costs every in-process client a re-parse.
    expect(Object.keys(sut.variants)).toEqual(['v1', 'v4']);
  });

  it('publishes a kill to the baseline with the baseline as the only variant', () => {
    const sut = build({ allocation: [{ version: 2, weight: 1 }], rules: [] }, 1);

    expect(sut).toEqual({
      state: 'ENABLED',
      defaultVariant: 'v1',
      variants: { v1: expect.objectContaining({ version: 1 }) },
      metadata: { slug: SLUG, revision: 7, baseline: 1, killedTo: 1 },
    });
  });

  it('still refuses a killed flag whose rollout names a version that was not supplied', () => {
    expect(() => build({ allocation: [{ version: 9, weight: 1 }], rules: [] }, 4)).toThrow(/version 9/);
  });

  it('lists variables by name, required and optional apart, with descriptions only where there are some', () => {
    const baseline = promptVersion(SLUG, 1, {
      variables: [
        { name: 'a', required: undefined, description: undefined },
        { name: 'b', required: true, description: 'B' },
        { name: 'c', required: false },
        { name: 'd', required: true },
      ],
    });
    const plain = promptVersion(SLUG, 2, { variables: [{ name: 'x', required: true }] });
    const sut = buildPromptFlag({ slug: SLUG, revision: 1, baseline, trafficVersions: [plain], rollout: { allocation: [{ version: 2, weight: 1 }], rules: [] } });

    expect(sut.variants['v1']).toMatchObject({ requiredVariables: ['b', 'd'], optionalVariables: ['a', 'c'], variableDescriptions: { b: 'B' } });
    expect(sut.variants['v2']).toMatchObject({ requiredVariables: ['x'], optionalVariables: [] });
    expect(sut.variants['v2']).not.toHaveProperty('variableDescriptions');
    expect(sut.variants['v1']).not.toHaveProperty('variables');
  });

  it('gives back declarations with the same content hash as the version they came from', () => {
    const variables = [
      { name: 'tone', required: false, description: 'How to sound' },
      { name: 'name', required: true },
      { name: '__proto__', required: true, description: 'an awkward but valid name' },
      { name: 'constructor', required: false },
    ];
    const version = promptVersion(SLUG, 1, { variables });

    const declarations = declarationsOfValue(promptFlagValue(version));

    expect(declarations).toStrictEqual([
      { name: 'name', required: true },
      { name: '__proto__', required: true, description: 'an awkward but valid name' },
      { name: 'tone', required: false, description: 'How to sound' },
      { name: 'constructor', required: false },
    ]);
    expect(contentHash({ template: version.template, modelHint: version.modelHint, variables: declarations })).toBe(
      contentHash({ template: version.template, modelHint: version.modelHint, variables }),
    );
  });

  it('refuses a rollout naming a version that was not supplied', () => {
    expect(() => build({ allocation: [{ version: 9, weight: 1 }], rules: [] })).toThrow(PromptFlagBuildError);
    expect(() => build({ allocation: [{ version: 9, weight: 1 }], rules: [] })).toThrow(/version 9/);
  });

  it("refuses another slug's version", () => {
    expect(() =>
      buildPromptFlag({
        slug: SLUG,
        revision: 1,
        baseline: v(1),
        trafficVersions: [promptVersion('other', 2)],
        rollout: { allocation: [{ version: 2, weight: 1 }], rules: [] },
      }),
    ).toThrow(/belongs to "other"/);
  });

  it('builds a flag flagd-core accepts for any rollout shape', () => {
    fc.assert(
      fc.property(arbRollout(), fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }), (rollout, kill) => {
        const versions = versionsFor(SLUG, 1, rollout);
        const flag = buildPromptFlag({
          slug: SLUG,
          revision: 1,
          baseline: versions.find((x) => x.version === 1)!,
          trafficVersions: versions,
          rollout,
          ...(kill !== undefined ? { killedTo: promptVersion(SLUG, kill) } : {}),
        });
        validateFlagDocument(buildFlagDocument({ [SLUG]: flag }, { version: '1' }));
      }),
      { numRuns: 100 },
    );
  });
});

describe('variant names', () => {
  it('maps versions to v<version> and back', () => {
    expect(variantName(12)).toBe('v12');
    expect(versionOfVariant('v12')).toBe(12);
    expect(versionOfVariant('v0')).toBe(0);
    for (const bad of ['12', 'v', 'v01', 'V1', 'v1.5', 'v-1', 'wild']) expect(versionOfVariant(bad)).toBeUndefined();
  });
});

