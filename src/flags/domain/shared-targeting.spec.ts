import { FlagdCore } from '@openfeature/flagd-core';
import type { EvaluationContext } from '@openfeature/core';
import { PromptFlagEvaluator, type FlagResolution } from './flag-evaluator';
import { promptFlag } from './testing/prompt-fixtures';

const rollout = {
  allocation: [{ version: 2, weight: 30 }, { version: 1, weight: 70 }],
  rules: [{ match: { tenant: ['acme'] }, version: 3 }],
};

describe('PromptFlagEvaluator: shared targeting rules', () => {
  it('compiles each distinct rule once and forgets it when no flag uses it', () => {
    const sut = new PromptFlagEvaluator();
    for (const key of ['a', 'b', 'c']) sut.set(key, promptFlag(key, 1, rollout));
    sut.set('d', promptFlag('d', 1, { allocation: [{ version: 2, weight: 1 }, { version: 1, weight: 1 }], rules: [] }));
    expect(sut.distinctRules).toBe(2);

    sut.delete('d');
    sut.set('a', promptFlag('a', 1, { allocation: [], rules: [] }));
    expect(sut.distinctRules).toBe(1);
    sut.replaceAll({});
    expect(sut.distinctRules).toBe(0);
  });

  it('buckets every flag by its own key, as flagd-core does with a Targeting per flag', () => {
    const sut = new PromptFlagEvaluator();
    const keys = ['first', 'second', 'third'];
    for (const key of keys) sut.set(key, promptFlag(key, 1, rollout));
    sut.delete('first'); // the flag whose Targeting is shared goes first
    const core = new FlagdCore();
    core.setConfigurations(JSON.stringify(sut.exportDocument()));

    const served = new Set<string>();
    for (let i = 0; i < 2000; i++) {
      const context: EvaluationContext = { targetingKey: `user-${i}`, ...(i % 10 === 0 ? { tenant: 'acme' } : {}) };
      for (const key of ['second', 'third']) {
        const ours = sut.evaluate(key, context) as FlagResolution;
        const theirs = core.resolveObjectEvaluation(key, {}, context);
        expect([ours.variant, ours.reason]).toEqual([theirs.variant, theirs.reason]);
        served.add(`${key}:${ours.variant}`);
      }
    }
    expect(served.size).toBe(6);
  });
});
