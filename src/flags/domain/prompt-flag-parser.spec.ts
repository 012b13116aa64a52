import * as fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contentHash } from '../../registry/domain/content-hash';
import type { RolloutSpec } from '../../rollout/domain/rollout';
import { PromptFlagParseError } from './flags.errors';
import { validateFlagDocument } from './flag-document';
import { buildPromptFlag, contentOfValue, promptFlagValue } from './prompt-flag';
import { parsePromptFlag } from './prompt-flag-parser';
import { arbRollout } from './testing/arbitraries';
import { promptFlag, promptVersion, versionsFor } from './testing/prompt-fixtures';

const SLUG = 'greeting';
/** What a flagd document can carry: no rule names, and no bucketBy without a split to bucket. */
const representable = ({ bucketBy, ...rollout }: RolloutSpec): RolloutSpec => ({
  ...rollout,
  rules: rollout.rules.map(({ match, version }) => ({ match, version })),
  ...(bucketBy !== undefined && rollout.allocation.length > 0 ? { bucketBy } : {}),
});

describe(parsePromptFlag.name, () => {
  it('round-trips rollout, baseline and variants: parse(build(x)) = x, up to what flagd documents cannot carry', () => {
    fc.assert(
      fc.property(arbRollout(), fc.integer({ min: 1, max: 6 }), fc.nat(1000), (rollout, baseline, revision) => {
        const versions = versionsFor(SLUG, baseline, rollout);
        const flag = buildPromptFlag({
          slug: SLUG,
          revision,
          baseline: versions.find((v) => v.version === baseline)!,
          trafficVersions: versions,
          rollout,
        });

        const parsed = parsePromptFlag(SLUG, JSON.parse(JSON.stringify(flag)));

        expect(parsed.rollout).toStrictEqual(representable(rollout));
        expect(parsed.baselineVersionValue).toStrictEqual(flag.variants[`v${baseline}`]);
        expect(parsed.variantValues).toStrictEqual(versions.sort((a, b) => a.version - b.version).map(promptFlagValue));
        expect(parsed.revision).toBe(revision);
        expect(parsed).not.toHaveProperty('killedTo');
      }),
      { numRuns: 200 },
    );
  });

  it('reads a killed flag back as its kill version and baseline, without a rollout', () => {
    const flag = promptFlag(SLUG, 1, { allocation: [{ version: 2, weight: 1 }], rules: [] }, { killedTo: 3 });

    const parsed = parsePromptFlag(SLUG, flag);

    expect(parsed.killedTo).toBe(3);
    expect(parsed.baselineVersionValue.version).toBe(1);
    expect(parsed.rollout).toEqual({ allocation: [], rules: [] });
    expect(parsed.variantValues.map((v) => v.version)).toEqual([1, 3]);
  });

  it('accepts a hand-written flag without metadata', () => {
    const flag = promptFlag(SLUG, 1, { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 3 }], rules: [] });
    const { metadata: _metadata, ...bare } = flag;

    const parsed = parsePromptFlag(SLUG, bare);

    expect(parsed.rollout.allocation).toEqual([{ version: 2, weight: 1 }, { version: 1, weight: 3 }]);
    expect(parsed.baselineVersionValue.version).toBe(1);
    expect(parsed).not.toHaveProperty('revision');
  });

  const good = () =>
    JSON.parse(
      JSON.stringify(
        promptFlag(SLUG, 1, {
          allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }],
          rules: [{ match: { tenant: ['acme'] }, version: 3 }],
          bucketBy: 'sessionId',
        }),
      ),
    );
  const v1 = promptFlagValue(promptVersion(SLUG, 1));

  it.each<[string, (flag: any) => unknown, RegExp]>([
    ['not an object', () => 'flag', /must be an object/],
    ['DISABLED', (f) => ({ ...f, state: 'DISABLED' }), /state must be "ENABLED"/],
    ['an unknown property', (f) => ({ ...f, $evaluators: {} }), /unexpected property "\$evaluators"/],
    ['a variant not named v<n>', (f) => ({ ...f, variants: { ...f.variants, control: v1 } }), /variant "control" is not named v<version>/],
    ['a string variant', (f) => ({ ...f, variants: { ...f.variants, v1: 'hello' } }), /variant "v1": value must be an object/],
    ['a value of another slug', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, slug: 'x' } } }), /slug must be "greeting"/],
    ['a value of another version', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, version: 2 } } }), /version must be 1/],
    ['an extra value field', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, temperature: 1 } } }), /unexpected property "temperature"/],
    ['declarations as objects', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, variables: [{ name: 'name' }] } } }), /unexpected property "variables": .*requiredVariables and optionalVariables/],
    ['a variable name that is not a string', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, requiredVariables: [1] } } }), /requiredVariables\[0\] must be a string/],
    ['no optional list', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, optionalVariables: undefined } } }), /optionalVariables must be an array/],
    ['a variable both required and optional', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, optionalVariables: ['name'] } } }), /variable "name" is declared twice/],
    ['a description of an undeclared variable', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, variableDescriptions: { tone: 'x' } } } }), /names "tone", which is not a declared variable/],
    ['a description that is not a string', (f) => ({ ...f, variants: { ...f.variants, v1: { ...v1, variableDescriptions: { name: 1 } } } }), /variableDescriptions\["name"\] must be a string/],
    ['a missing default variant', (f) => ({ ...f, defaultVariant: 'v9' }), /defaultVariant must name one of the variants/],
    ['a foreign metadata slug', (f) => ({ ...f, metadata: { ...f.metadata, slug: 'x' } }), /metadata.slug/],
    ['a baseline that is not the default', (f) => ({ ...f, metadata: { ...f.metadata, baseline: 2 } }), /differs from the default variant/],
    ['a kill with targeting', (f) => ({ ...f, metadata: { ...f.metadata, killedTo: 1 } }), /killed flag has no targeting/],
    ['arbitrary JSON Logic', (f) => ({ ...f, targeting: { '==': [{ var: 'tenant' }, 'acme'] } }), /targeting must be a fractional split/],
    ['a rule that is not and/in', (f) => ({ ...f, targeting: { if: [{ '==': [1, 1] }, 'v3', null] } }), /rule 0 must be \{"and"/],
    ['a rule with a non-string value', (f) => ({ ...f, targeting: { if: [{ and: [{ in: [{ var: 't' }, [1]] }] }, 'v3', null] } }), /each clause must be/],
    ['a rule to an unknown variant', (f) => ({ ...f, targeting: { if: [{ and: [{ in: [{ var: 't' }, ['a']] }] }, 'v8', null] } }), /rule 0 must name one of the variants/],
    ['an unguarded cat split', (f) => ({ ...f, targeting: { fractional: [{ cat: [{ var: '$flagd.flagKey' }, { var: 's' }] }, ['v1', 1]] } }), /bucket on the targeting key/],
    ['a split without weights', (f) => ({ ...f, targeting: { fractional: [['v1'], ['v2']] } }), /split entry 0 must be \["v<n>", weight\]/],
    ['a negative weight', (f) => ({ ...f, targeting: { fractional: [['v1', -1], ['v2', 2]] } }), /non-negative integer weight/],
    ['a split naming a variant twice', (f) => ({ ...f, targeting: { fractional: [['v1', 1], ['v1', 2]] } }), /names v1 twice/],
    ['a split to an unknown variant', (f) => ({ ...f, targeting: { fractional: [['v7', 1]] } }), /must name one of the variants/],
    [
      'a bucketBy fallback that differs',
      (f) => {
        const t = structuredClone(f.targeting);
        t.if[2].if[2].fractional[0][1] = 99;
        return { ...f, targeting: t };
      },
      /must list the same variants and weights/,
    ],
    [
      'a bucketBy split hashing another attribute',
      (f) => {
        const t = structuredClone(f.targeting);
        t.if[2].if[1].fractional[0].cat[1].var = 'userId';
        return { ...f, targeting: t };
      },
      /must hash \{"cat"/,
    ],
  ])('refuses %s, naming the flag', (_name, mutate, reason) => {
    let error: unknown;
    try {
      parsePromptFlag(SLUG, mutate(good()));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(PromptFlagParseError);
    expect((error as PromptFlagParseError).message).toMatch(/^Flag "greeting" is not a promptflag prompt flag: /);
    expect((error as PromptFlagParseError).reason).toMatch(reason);
  });
});

describe('the example flag files shipped in flags/examples', () => {
  const dir = join(__dirname, '..', '..', '..', 'flags', 'examples');
  const files = readdirSync(dir).filter((name) => name.endsWith('.json'));

  it('exist', () => {
    expect(files.length).toBeGreaterThan(0);
  });

  it.each(files)('%s is a valid document whose flags parse and whose content hashes match their content', (file) => {
    const document = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { flags: Record<string, unknown> };
    validateFlagDocument(document);
    for (const [slug, flag] of Object.entries(document.flags)) {
      for (const value of parsePromptFlag(slug, flag).variantValues) {
        expect(contentHash(contentOfValue(value))).toBe(value.contentHash);
      }
    }
  });
});
