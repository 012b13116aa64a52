import type { EvaluationContext } from '@openfeature/core';
import testbed from '../../../test/fixtures/fractional-v2-vectors.json';
import promptRollouts from '../../../test/fixtures/prompt-rollout-vectors.json';
import type { RolloutSpec } from '../../rollout/domain/rollout';
import type { FlagdFlagDefinition } from './flag-document';
import { PromptFlagEvaluator } from './flag-evaluator';
import { InvalidFlagDocumentError } from './flags.errors';
import { promptFlag } from './testing/prompt-fixtures';

interface TestbedVector {
  flag: string;
  context: EvaluationContext;
  value: string;
  reason?: string;
}

interface PromptRolloutCase {
  name: string;
  slug: string;
  baseline: number;
  killedTo?: number;
  rollout: RolloutSpec;
  vectors: { context: EvaluationContext; variant: string; reason: string }[];
}

describe('flagd-testbed fractional v2 vectors through PromptFlagEvaluator', () => {
  // Lenient, like flagd itself: the testbed's negative-weight flag breaks the bundled schema (weight minimum 0).
  const sut = new PromptFlagEvaluator({ validation: 'lenient' });
  for (const [key, flag] of Object.entries(testbed.flags)) sut.set(key, flag as FlagdFlagDefinition);
  const vectors = testbed.vectors as TestbedVector[];

  it('covers all 24 rows of the reference table', () => {
    expect(vectors).toHaveLength(24);
    expect(new Set(vectors.map((v) => v.flag))).toEqual(new Set(Object.keys(testbed.flags)));
  });

  it('strict validation accepts every testbed flag but the negative-weight one', () => {
    const strict = new PromptFlagEvaluator();
    const refused = Object.entries(testbed.flags).filter(([key, flag]) => {
      try {
        strict.set(key, flag as FlagdFlagDefinition);
        return false;
      } catch (err) {
        expect(err).toBeInstanceOf(InvalidFlagDocumentError);
        expect((err as InvalidFlagDocumentError).problems).toContainEqual({
          path: `/flags/${key}/targeting/fractional/1/1`,
          message: 'must be >= 0',
        });
        return true;
      }
    });
    expect(refused.map(([key]) => key)).toEqual(['fractional-negative-weight-flag']);
  });

  it.each(vectors.map((v) => [v.flag, JSON.stringify(v.context), v] as const))('%s %s', (flag, _ctx, vector) => {
    const result = sut.evaluate(flag, vector.context);

    expect(result).toMatchObject({ value: vector.value });
    if (vector.reason !== undefined) expect(result).toMatchObject({ reason: vector.reason });
  });
});

describe('prompt-rollout vectors (frozen from a plain FlagdCore) through PromptFlagEvaluator', () => {
  const cases = promptRollouts.cases as PromptRolloutCase[];
  const sut = new PromptFlagEvaluator();
  for (const c of cases) {
    sut.set(c.slug, promptFlag(c.slug, c.baseline, c.rollout, c.killedTo !== undefined ? { killedTo: c.killedTo } : {}));
  }
  const rows = cases.flatMap((c) => c.vectors.map((v) => [c.slug, c.name, JSON.stringify(v.context), v] as const));

  it.each(rows)('%s (%s) %s', (slug, _name, _ctx, vector) => {
    expect(sut.evaluate(slug, vector.context)).toMatchObject({ variant: vector.variant, reason: vector.reason });
  });
});
