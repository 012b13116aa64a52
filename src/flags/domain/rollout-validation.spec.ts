import * as fc from 'fast-check';
import type { PromptStatus } from '../../registry/domain/prompt-version';
import type { RolloutSpec } from '../../rollout/domain/rollout';
import { MAX_TOTAL_WEIGHT, sharesFromAllocation, validateRolloutSpec } from './rollout-validation';
import { arbRollout } from './testing/arbitraries';

const statuses: Record<number, PromptStatus> = { 1: 'prod', 2: 'staging', 3: 'staging', 4: 'draft', 5: 'deprecated' };
const spec = (over: Partial<RolloutSpec>): RolloutSpec => ({ allocation: [], rules: [], ...over });

describe(validateRolloutSpec.name, () => {
  it.each<[string, RolloutSpec]>([
    ['an empty rollout', spec({})],
    ['a 50/50 split of prod and staging', spec({ allocation: [{ version: 2, weight: 50 }, { version: 1, weight: 50 }] })],
    ['1 in 10,000 (0.01%)', spec({ allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 9_999 }] })],
    ['the maximum total weight', spec({ allocation: [{ version: 2, weight: MAX_TOTAL_WEIGHT - 1 }, { version: 1, weight: 1 }] })],
    ['a zero weight next to a positive one', spec({ allocation: [{ version: 2, weight: 0 }, { version: 1, weight: 1 }] })],
    ['rules only', spec({ rules: [{ match: { tenant: ['acme'], 'user.plan-tier': ['pro'] }, version: 3 }] })],
    ['rules on the targeting key', spec({ rules: [{ match: { targetingKey: ['qa-1', 'qa-2'] }, version: 2 }] })],
    ['1,000 rule values', spec({ rules: [{ match: { tenant: Array.from({ length: 1000 }, (_, i) => `t${i}`) }, version: 2 }] })],
    ['bucketBy sessionId', spec({ allocation: [{ version: 2, weight: 1 }], bucketBy: 'sessionId' })],
  ])('accepts %s', (_name, input) => {
    expect(validateRolloutSpec(input, statuses)).toEqual([]);
  });

  it.each<[string, RolloutSpec, string, RegExp]>([
    ['an unknown version', spec({ allocation: [{ version: 9, weight: 1 }] }), 'allocation[0].version', /does not exist/],
    ['a draft version', spec({ allocation: [{ version: 1, weight: 1 }, { version: 4, weight: 1 }] }), 'allocation[1].version', /draft; only staging and prod/],
    ['a deprecated rule version', spec({ rules: [{ match: { t: ['a'] }, version: 5 }] }), 'rules[0].version', /deprecated/],
    ['a version allocated twice', spec({ allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }, { version: 2, weight: 1 }] }), 'allocation[2].version', /already allocated at allocation\[0\]/],
    ['a negative weight', spec({ allocation: [{ version: 2, weight: -1 }, { version: 1, weight: 2 }] }), 'allocation[0].weight', /non-negative integer/],
    ['a fractional weight', spec({ allocation: [{ version: 2, weight: 0.5 }] }), 'allocation[0].weight', /non-negative integer/],
    ['weights summing to 0', spec({ allocation: [{ version: 2, weight: 0 }, { version: 1, weight: 0 }] }), 'allocation', /sum to 0/],
    ['weights above int32', spec({ allocation: [{ version: 2, weight: MAX_TOTAL_WEIGHT }, { version: 1, weight: 1 }] }), 'allocation', /maximum is 2147483647/],
    ['a rule with no attribute', spec({ rules: [{ match: {}, version: 2 }] }), 'rules[0].match', /at least one attribute/],
    ['an attribute starting with a digit', spec({ rules: [{ match: { '1x': ['a'] }, version: 2 }] }), 'rules[0].match.1x', /not a valid attribute name/],
    ['a $flagd attribute', spec({ rules: [{ match: { '$flagd.flagKey': ['a'] }, version: 2 }] }), 'rules[0].match.$flagd.flagKey', /reserved by flagd/],
    ['an attribute with a space', spec({ rules: [{ match: { 'a b': ['a'] }, version: 2 }] }), 'rules[0].match.a b', /not a valid attribute name/],
    ['an empty value list', spec({ rules: [{ match: { tenant: [] }, version: 2 }] }), 'rules[0].match.tenant', /non-empty list/],
    ['an empty value', spec({ rules: [{ match: { tenant: ['a', ''] }, version: 2 }] }), 'rules[0].match.tenant[1]', /non-empty string/],
    ['1,001 values', spec({ rules: [{ match: { tenant: Array.from({ length: 1001 }, (_, i) => `t${i}`) }, version: 2 }] }), 'rules[0].match.tenant', /at most 1000/],
    ['a bad bucketBy', spec({ allocation: [{ version: 2, weight: 1 }], bucketBy: 'session id' }), 'bucketBy', /not a valid attribute name/],
    ['bucketBy $flagd.flagKey', spec({ allocation: [{ version: 2, weight: 1 }], bucketBy: '$flagd.flagKey' }), 'bucketBy', /reserved/],
    ['bucketBy targetingKey (the default)', spec({ allocation: [{ version: 2, weight: 1 }], bucketBy: 'targetingKey' }), 'bucketBy', /omit bucketBy/],
  ])('refuses %s', (_name, input, field, message) => {
    expect(validateRolloutSpec(input, statuses)).toContainEqual({ field, message: expect.stringMatching(message) });
  });

  it('reports every problem at once', () => {
    const problems = validateRolloutSpec(
      spec({ allocation: [{ version: 4, weight: -1 }], rules: [{ match: { tenant: [] }, version: 9 }], bucketBy: '9' }),
      statuses,
    );
    expect(problems.map((p) => p.field)).toEqual([
      'allocation[0].version',
      'allocation[0].weight',
      'rules[0].version',
      'rules[0].match.tenant',
      'bucketBy',
    ]);
  });

  it('accepts every generated rollout whose versions are all staging or prod', () => {
    const servable = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [n, n === 1 ? 'prod' : 'staging'])) as Record<number, PromptStatus>;
    fc.assert(fc.property(arbRollout(), (rollout) => validateRolloutSpec(rollout, servable).length === 0), { numRuns: 200 });
  });
});

describe(sharesFromAllocation.name, () => {
  it('gives each version its fraction of the total weight', () => {
    expect(sharesFromAllocation([{ version: 2, weight: 1 }, { version: 1, weight: 9_999 }])).toEqual([
      { version: 2, share: 0.0001 },
      { version: 1, share: 0.9999 },
    ]);
  });

  it('clamps negative weights to 0 like flagd, and gives 0 shares when nothing is weighted', () => {
    expect(sharesFromAllocation([{ version: 2, weight: -5 }, { version: 1, weight: 5 }])).toEqual([
      { version: 2, share: 0 },
      { version: 1, share: 1 },
    ]);
    expect(sharesFromAllocation([{ version: 2, weight: 0 }])).toEqual([{ version: 2, share: 0 }]);
    expect(sharesFromAllocation([])).toEqual([]);
  });

  it('sums to 1 for any positive allocation', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0)), (weights) => {
        const shares = sharesFromAllocation(weights.map((weight, version) => ({ version, weight })));
        return Math.abs(shares.reduce((s, x) => s + x.share, 0) - 1) < 1e-9;
      }),
    );
  });
});
