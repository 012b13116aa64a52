// fast-check arbitraries shared by the flags/domain specs (not used by production code).
import * as fc from 'fast-check';
import type { RolloutSpec } from '../../../rollout/domain/rollout';

/** Valid rollouts over versions 1..6 (unique allocation versions, positive total weight). */
export function arbRollout(): fc.Arbitrary<RolloutSpec> {
  const attribute = fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/).filter((a) => a !== 'targetingKey' && a !== '__proto__');
  const rule = fc.record({
    match: fc.dictionary(attribute, fc.array(fc.string({ minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 4 }), {
      minKeys: 1,
      maxKeys: 3,
      noNullPrototype: true,
    }),
    version: fc.integer({ min: 1, max: 6 }),
  }, { noNullPrototype: true });
  const allocation = fc
    .uniqueArray(fc.integer({ min: 1, max: 6 }), { maxLength: 4 })
    .chain((versions) =>
      fc.tuple(...versions.map((version) => fc.record({ version: fc.constant(version), weight: fc.integer({ min: 0, max: 10_000 }) }, { noNullPrototype: true }))),
    )
    .filter((a) => a.length === 0 || a.some((x) => x.weight > 0));
  return fc
    .record({
      allocation,
      rules: fc.array(rule, { maxLength: 3 }),
      bucketBy: fc.option(attribute, { nil: undefined }),
    }, { noNullPrototype: true })
    .map(({ bucketBy, ...rest }) => (bucketBy === undefined ? rest : { ...rest, bucketBy }));
}
