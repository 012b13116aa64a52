import * as fc from 'fast-check';
import type { EvaluationContext } from '@openfeature/core';
import type { Allocation, RolloutSpec } from '../../rollout/domain/rollout';
import { PromptFlagEvaluator, type FlagEvaluation } from './flag-evaluator';
import { arbRollout } from './testing/arbitraries';
import { promptFlag } from './testing/prompt-fixtures';

// Bucketing properties of published prompt flags, evaluated through PromptFlagEvaluator (flagd-core underneath).
const BASELINE = 1;
const CANDIDATE = 2;
const TOTAL = 10_000; // weights in basis points
const users = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
const variantOf = (e: FlagEvaluation) => ('variant' in e ? e.variant : undefined);
const ramp = (candidateBp: number, candidateFirst = true): RolloutSpec => {
  const allocation: Allocation[] = [
    { version: CANDIDATE, weight: candidateBp },
    { version: BASELINE, weight: TOTAL - candidateBp },
  ];
  return { allocation: candidateFirst ? allocation : allocation.reverse(), rules: [] };
};
const arbContext: fc.Arbitrary<EvaluationContext> = fc.record(
  {
    targetingKey: fc.string({ maxLength: 16 }),
    tenant: fc.constantFrom('acme', 'globex', 'other'),
    sessionId: fc.string({ maxLength: 8 }),
  },
  { requiredKeys: [], noNullPrototype: true },
);

describe('bucketing of prompt flags', () => {
  let sut: PromptFlagEvaluator;
  beforeEach(() => {
    sut = new PromptFlagEvaluator();
  });

  it('is deterministic: same flag and context, same answer, in any evaluator', () => {
    fc.assert(
      fc.property(arbRollout(), arbContext, (rollout, context) => {
        const flag = promptFlag('slug', 1, rollout);
        sut.set('slug', flag);
        const fresh = new PromptFlagEvaluator();
        fresh.set('slug', flag);
        const first = sut.evaluate('slug', context);

        expect(sut.evaluate('slug', context)).toEqual(first);
        expect(fresh.evaluate('slug', context)).toEqual(first);
      }),
      { numRuns: 150 },
    );
  });

  it.each([
    [1, 100],
    [5, 500],
    [50, 5_000],
  ])('gives a %i%% candidate its share of 100k users within ±0.5 percentage points', (_percent, bp) => {
    sut.set('ramp', promptFlag('ramp', BASELINE, ramp(bp)));
    let inCandidate = 0;
    for (const targetingKey of users(100_000)) {
      if (variantOf(sut.evaluate('ramp', { targetingKey })) === `v${CANDIDATE}`) inCandidate += 1;
    }
    expect(Math.abs(inCandidate / 100_000 - bp / TOTAL)).toBeLessThanOrEqual(0.005);
  });

  it.each([
    ['first', true],
    ['last', false],
  ])('ramps monotonically with the candidate %s: users in it at p%% stay in it at q%% > p%%', (_end, first) => {
    const keys = users(2_000);
    const candidates = (bp: number) => {
      sut.set('ramp', promptFlag('ramp', BASELINE, ramp(bp, first)));
      return keys.filter((targetingKey) => variantOf(sut.evaluate('ramp', { targetingKey })) === `v${CANDIDATE}`);
    };
    fc.assert(
      fc.property(fc.integer({ min: 0, max: TOTAL }), fc.integer({ min: 0, max: TOTAL }), (a, b) => {
        const [p, q] = a <= b ? [a, b] : [b, a];
        const atQ = new Set(candidates(q));
        expect(candidates(p).filter((k) => !atQ.has(k))).toEqual([]);
      }),
      { numRuns: 25 },
    );
  });

  it('buckets independently across slugs: two 50/50 slugs split 100k users ~25% per pair (±1pp)', () => {
    sut.set('left', promptFlag('left', BASELINE, ramp(5_000)));
    sut.set('right', promptFlag('right', BASELINE, ramp(5_000)));
    const joint = new Map<string, number>();
    for (const targetingKey of users(100_000)) {
      const pair = `${variantOf(sut.evaluate('left', { targetingKey }))}/${variantOf(sut.evaluate('right', { targetingKey }))}`;
      joint.set(pair, (joint.get(pair) ?? 0) + 1);
    }
    expect([...joint.keys()].sort()).toEqual(['v1/v1', 'v1/v2', 'v2/v1', 'v2/v2']);
    for (const count of joint.values()) expect(Math.abs(count / 100_000 - 0.25)).toBeLessThanOrEqual(0.01);
  });

  it('pins a rule segment to its version whatever the split and the user', () => {
    const pin = { match: { tenant: ['acme'], plan: ['enterprise'] }, version: 9 };
    fc.assert(
      fc.property(arbRollout(), fc.string(), fc.option(fc.string({ minLength: 1 }), { nil: undefined }), (rollout, targetingKey, sessionId) => {
        sut.set('pinned', promptFlag('pinned', 1, { ...rollout, rules: [pin, ...rollout.rules] }));
        const context: EvaluationContext = { targetingKey, tenant: 'acme', plan: 'enterprise', ...(sessionId ? { sessionId } : {}) };

        expect(sut.evaluate('pinned', context)).toMatchObject({ variant: 'v9', reason: 'TARGETING_MATCH' });
      }),
      { numRuns: 150 },
    );
  });

  describe('bucketBy sessionId', () => {
    const bySession = { allocation: [{ version: CANDIDATE, weight: 1 }, { version: BASELINE, weight: 1 }], rules: [], bucketBy: 'sessionId' };

    it('gives every user of one session the same variant', () => {
      sut.set('chat', promptFlag('chat', BASELINE, bySession));
      fc.assert(
        fc.property(fc.string({ minLength: 1 }), fc.array(fc.string(), { minLength: 2, maxLength: 10 }), (sessionId, targetingKeys) => {
          const variants = new Set(targetingKeys.map((targetingKey) => variantOf(sut.evaluate('chat', { targetingKey, sessionId }))));
          expect(variants.size).toBe(1);
        }),
        { numRuns: 200 },
      );
    });

    it('spreads sessions over the variants', () => {
      sut.set('chat', promptFlag('chat', BASELINE, bySession));
      const n = 10_000;
      let inCandidate = 0;
      for (let i = 0; i < n; i++) {
        if (variantOf(sut.evaluate('chat', { targetingKey: 'same-user', sessionId: `s-${i}` })) === `v${CANDIDATE}`) inCandidate += 1;
      }
      expect(Math.abs(inCandidate / n - 0.5)).toBeLessThanOrEqual(0.02);
    });

    it.each([
      ['missing', {}],
      ['empty', { sessionId: '' }],
    ])('falls back to the targeting key when the attribute is %s, instead of collapsing everyone into one bucket', (_how, extra) => {
      sut.set('chat', promptFlag('chat', BASELINE, bySession));
      const n = 10_000;
      let inCandidate = 0;
      for (const targetingKey of users(n)) {
        if (variantOf(sut.evaluate('chat', { targetingKey, ...extra })) === `v${CANDIDATE}`) inCandidate += 1;
      }
      expect(Math.abs(inCandidate / n - 0.5)).toBeLessThanOrEqual(0.02);
    });

    it('buckets users without the attribute exactly as a targeting-key split of the same flag would', () => {
      const plain = new PromptFlagEvaluator();
      sut.set('chat', promptFlag('chat', BASELINE, bySession));
      const { bucketBy: _ignored, ...byUser } = bySession;
      plain.set('chat', promptFlag('chat', BASELINE, byUser));
      for (const targetingKey of users(2_000)) {
        expect(variantOf(sut.evaluate('chat', { targetingKey }))).toBe(variantOf(plain.evaluate('chat', { targetingKey })));
      }
    });
  });

  it('serves everyone the kill version, statically, whatever the rollout and context', () => {
    fc.assert(
      fc.property(arbRollout(), fc.integer({ min: 1, max: 6 }), arbContext, (rollout, kill, context) => {
        sut.set('killed', promptFlag('killed', 1, rollout, { killedTo: kill }));

        expect(sut.evaluate('killed', context)).toMatchObject({ variant: `v${kill}`, reason: 'STATIC' });
      }),
      { numRuns: 150 },
    );
  });
});
