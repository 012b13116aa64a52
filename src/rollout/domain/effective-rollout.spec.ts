import { effectiveRollout } from './effective-rollout';

describe(effectiveRollout.name, () => {
  it('keeps a rollout whose versions all serve', () => {
    const spec = { allocation: [{ version: 3, weight: 10 }, { version: 2, weight: 90 }], rules: [{ match: { tenant: ['a'] }, version: 3 }] };
    expect(effectiveRollout(spec, { 2: 'prod', 3: 'staging' })).toEqual({ spec, inactive: [] });
  });

  it('drops deprecated versions from the split and the rules and names them', () => {
    const spec = {
      allocation: [{ version: 3, weight: 10 }, { version: 2, weight: 90 }],
      rules: [{ match: { tenant: ['a'] }, version: 2 }],
      bucketBy: 'sessionId',
    };
    expect(effectiveRollout(spec, { 2: 'deprecated', 3: 'prod' })).toEqual({
      spec: { allocation: [{ version: 3, weight: 10 }], rules: [], bucketBy: 'sessionId' },
      inactive: [2],
    });
  });

  it('drops a split left with zero total weight, so the baseline serves everyone', () => {
    const spec = { allocation: [{ version: 3, weight: 0 }, { version: 2, weight: 100 }], rules: [] };
    expect(effectiveRollout(spec, { 2: 'deprecated', 3: 'staging' }).spec.allocation).toEqual([]);
  });
});
