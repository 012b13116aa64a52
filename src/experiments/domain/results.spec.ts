import { emptyAggregate, type VersionAggregate } from './experiment-records';
import { latencyBucket } from './latency-histogram';
import { buildResults, MIN_SAMPLE_PER_ARM } from './results';

function arm(version: number, accepted: number, labelled: number, patch: Partial<VersionAggregate> = {}): VersionAggregate {
  return { ...emptyAggregate(version), exposures: labelled, users: labelled, calls: labelled, labelled, outcomes: { accepted, rejected: labelled - accepted }, ...patch };
}

const base = { slug: 'triage', from: new Date('2025-06-01T00:00:00Z'), to: new Date('2025-06-02T00:00:00Z'), now: new Date('2025-06-03T00:00:00Z'), baseline: 1 };

describe(buildResults.name, () => {
  it('compares each version with the baseline (Newcombe 1998 example 56/70 vs 48/80)', () => {
    const results = buildResults({
      ...base,
      aggregates: [arm(2, 48, 80), arm(1, 56, 70)],
      allocation: [{ version: 1, share: 0.5 }, { version: 2, share: 0.5 }],
    });
    expect(results.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(results.versions[0].outcomes.accepted.diff).toBeUndefined();
    const diff = results.versions[1].outcomes.accepted.diff!;
    // Newcombe method 10 on 48/80 − 56/70 is the mirror of 56/70 − 48/80 = [0.0524, 0.3339].
    expect(diff.value).toBeCloseTo(-0.2, 10);
    expect(diff.ci[0]).toBeCloseTo(-0.3339, 4);
    expect(diff.ci[1]).toBeCloseTo(-0.0524, 4);
    // Below the minimum sample there is no verdict, however small p is.
    expect(diff.verdict).toBe('insufficient-sample');
    expect(results.versions[1].sufficientSample).toBe(false);
  });

  it('gives a verdict once both arms have the minimum sample', () => {
    const n = MIN_SAMPLE_PER_ARM * 10;
    const results = buildResults({ ...base, aggregates: [arm(1, n * 0.5, n), arm(2, n * 0.4, n), arm(3, n * 0.5 + 3, n)], allocation: [] });
    expect(results.versions[1].outcomes.accepted.diff!.verdict).toBe('lower');
    expect(results.versions[1].outcomes.rejected.diff!.verdict).toBe('higher');
    expect(results.versions[2].outcomes.accepted.diff!.verdict).toBe('inconclusive');
  });

  it('labels an open window as peeking at a fixed-horizon test', () => {
    const open = buildResults({ ...base, now: new Date('2025-06-01T12:00:00Z'), aggregates: [], allocation: [] });
    expect(open.analysis).toMatchObject({ method: 'fixed-horizon', peeking: true });
    expect(buildResults({ ...base, aggregates: [], allocation: [] }).analysis.peeking).toBe(false);
  });

  it('derives latency, tokens, truncation share and diversity', () => {
    const results = buildResults({
      ...base,
      aggregates: [
        arm(1, 1, 2, {
          latency: { [latencyBucket(100)]: 98, [latencyBucket(1000)]: 2 },
          latencyCount: 100,
          promptTokens: 300,
          completionTokens: 100,
          tokenCalls: 4,
          finishReasons: { stop: 3, length: 1 },
          finishReasonCalls: 4,
          outputCalls: 10,
          distinctOutputs: 5,
        }),
      ],
      allocation: [],
    });
    const v = results.versions[0];
    expect(v.latencyMs.p50! / 100).toBeCloseTo(1, 1);
    expect(v.latencyMs.p99! / 1000).toBeCloseTo(1, 1);
    expect(v).toMatchObject({ tokensPerCall: 100, lengthShare: 0.25, diversity: 0.5 });
  });

  it('checks the split over allocated versions that have exposures', () => {
    const allocation = [{ version: 1, share: 0.5 }, { version: 2, share: 0.5 }, { version: 3, share: 0 }];
    const fair = buildResults({ ...base, aggregates: [arm(1, 0, 0, { exposures: 5020 }), arm(2, 0, 0, { exposures: 4980 })], allocation });
    expect(fair.srm).toMatchObject({ mismatch: false, expectedShares: { 1: 0.5, 2: 0.5 } });
    const skewed = buildResults({ ...base, aggregates: [arm(1, 0, 0, { exposures: 5300 }), arm(2, 0, 0, { exposures: 4700 })], allocation });
    expect(skewed.srm.mismatch).toBe(true);
    expect(skewed.srm.pValue).toBeLessThan(0.001);
  });
});
