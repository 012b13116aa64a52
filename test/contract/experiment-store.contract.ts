import { createHash, randomUUID } from 'node:crypto';
import { latencyBucket } from '../../src/experiments/domain/latency-histogram';
import { type ExperimentStore, type ExposureRecord, MAX_READ_HOURS, type OutcomeRecord } from '../../src/store/ports/experiment-store.port';

/** One ExperimentStore over fresh data, and optionally a second instance over the same data (another replica). */
export interface ExperimentStoreFixture {
  store: ExperimentStore;
  peer?: ExperimentStore;
  dispose(): Promise<void>;
}

const HOUR = 480_000;

function exposure(slug: string, version: number, user: string, hour = HOUR): ExposureRecord {
  return { slug, version, variant: `v${version}`, revision: 1, targetingKeyHash: createHash('sha256').update(user).digest('hex'), hour };
}

function outcome(slug: string, version: number, patch: Partial<OutcomeRecord> = {}): OutcomeRecord {
  return { id: randomUUID(), slug, version, hour: HOUR, ...patch };
}

export function describeExperimentStoreContract(name: string, make: () => Promise<ExperimentStoreFixture>): void {
  describe(`${name} satisfies ExperimentStore`, () => {
    let fixture: ExperimentStoreFixture;
    let store: ExperimentStore;

    beforeEach(async () => {
      fixture = await make();
      store = fixture.store;
    });

    afterEach(() => fixture.dispose());

    it('reads nothing for a slug without data', async () => {
      await expect(store.readAggregates('nothing', HOUR, HOUR + 2)).resolves.toEqual([]);
    });

    it('refuses a window longer than MAX_READ_HOURS', async () => {
      await expect(store.readAggregates('nothing', HOUR, HOUR + MAX_READ_HOURS)).rejects.toThrow(RangeError);
    });

    it('counts exposures and distinct users per version, merged over hours', async () => {
      await store.recordExposures([exposure('exp', 1, 'a'), exposure('exp', 1, 'a'), exposure('exp', 1, 'b'), exposure('exp', 2, 'a')]);
      await store.recordExposures([exposure('exp', 1, 'a', HOUR + 1), exposure('exp', 1, 'c', HOUR + 1)]);
      const aggregates = await store.readAggregates('exp', HOUR, HOUR + 1);
      expect(aggregates.map((a) => [a.version, a.exposures, a.users])).toEqual([
        [1, 5, 3],
        [2, 1, 1],
      ]);
    });

    it('reads only the hours asked for', async () => {
      await store.recordExposures([exposure('hours', 1, 'a', HOUR - 1), exposure('hours', 1, 'b', HOUR), exposure('hours', 1, 'c', HOUR + 1)]);
      await store.recordOutcomes([outcome('hours', 1, { hour: HOUR + 1, outcome: 'accepted' })]);
      const [only] = await store.readAggregates('hours', HOUR, HOUR);
      expect(only).toMatchObject({ version: 1, exposures: 1, users: 1, calls: 0 });
      await expect(store.readAggregates('hours', HOUR + 2, HOUR + 5)).resolves.toEqual([]);
    });

    it('adds up every outcome measurement', async () => {
      const statuses = await store.recordOutcomes([
        outcome('sum', 1, { outcome: 'accepted', latencyMs: 100, promptTokens: 10, completionTokens: 5, finishReason: 'stop', score: 1.5, outputHash: 'h1' }),
        outcome('sum', 1, { outcome: 'rejected', latencyMs: 200, promptTokens: 20, finishReason: 'length', score: -0.5, outputHash: 'h1' }),
        outcome('sum', 1, { outputHash: 'h2' }),
        outcome('sum', 2, { outcome: 'accepted' }),
      ]);
      expect(statuses).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
      const [one, two] = await store.readAggregates('sum', HOUR, HOUR);
      expect(one).toEqual({
        version: 1,
        exposures: 0,
        users: 0,
        calls: 3,
        labelled: 2,
        outcomes: { accepted: 1, rejected: 1 },
        latency: { [latencyBucket(100)]: 1, [latencyBucket(200)]: 1 },
        latencyCount: 2,
        promptTokens: 30,
        completionTokens: 5,
        tokenCalls: 2,
        finishReasons: { stop: 1, length: 1 },
        finishReasonCalls: 2,
        outputCalls: 3,
        distinctOutputs: 2,
        scoreCount: 2,
        scoreSum: 1,
        scoreSumSquares: 2.5,
      });
      expect(two).toMatchObject({ version: 2, calls: 1, labelled: 1, outcomes: { accepted: 1 } });
    });

    it('counts an event id once per slug, also within one batch and across a retried batch', async () => {
      const first = outcome('idem', 1, { id: 'evt-1', outcome: 'accepted' });
      const batch = [first, outcome('idem', 1, { id: 'evt-2', outcome: 'accepted' }), { ...first }];
      await expect(store.recordOutcomes(batch)).resolves.toEqual(['accepted', 'accepted', 'duplicate']);
      await expect(store.recordOutcomes(batch)).resolves.toEqual(['duplicate', 'duplicate', 'duplicate']);
      await expect(store.recordOutcomes([outcome('other-slug', 1, { id: 'evt-1' })])).resolves.toEqual(['accepted']);
      const [aggregate] = await store.readAggregates('idem', HOUR, HOUR);
      expect(aggregate).toMatchObject({ calls: 2, labelled: 2, outcomes: { accepted: 2 } });
    });

    it('counts a batch with repeated ids once per id: the first occurrence wins, exactly', async () => {
      const statuses = await store.recordOutcomes([
        outcome('dups', 1, { id: 'a', outcome: 'accepted', promptTokens: 10, score: 2 }),
        outcome('dups', 1, { id: 'b', outcome: 'rejected', promptTokens: 20, outputHash: 'x' }),
        outcome('dups', 1, { id: 'a', outcome: 'rejected', promptTokens: 1000, score: 50 }),
        outcome('dups', 2, { id: 'b', outcome: 'accepted', promptTokens: 1000, outputHash: 'y' }),
        outcome('dups', 1, { id: 'c', latencyMs: 40 }),
        outcome('dups', 1, { id: 'c', latencyMs: 9000 }),
      ]);
      expect(statuses).toEqual(['accepted', 'accepted', 'duplicate', 'duplicate', 'accepted', 'duplicate']);
      const aggregates = await store.readAggregates('dups', HOUR, HOUR);
      expect(aggregates).toHaveLength(1);
      expect(aggregates[0]).toMatchObject({
        version: 1,
        calls: 3,
        labelled: 2,
        outcomes: { accepted: 1, rejected: 1 },
        promptTokens: 30,
        tokenCalls: 2,
        latency: { [latencyBucket(40)]: 1 },
        latencyCount: 1,
        scoreCount: 1,
        scoreSum: 2,
        scoreSumSquares: 4,
        outputCalls: 1,
        distinctOutputs: 1,
      });
    });

    it('counts a retried batch once, and the events the retry adds', async () => {
      const batch = [1, 2, 3].map((n) => outcome('retry', 1, { id: `r${n}`, outcome: 'accepted', completionTokens: n }));
      await expect(store.recordOutcomes(batch)).resolves.toEqual(['accepted', 'accepted', 'accepted']);
      const retry = [outcome('retry', 1, { id: 'r4', outcome: 'rejected', completionTokens: 4 }), ...batch];
      await expect(store.recordOutcomes(retry)).resolves.toEqual(['accepted', 'duplicate', 'duplicate', 'duplicate']);
      const [aggregate] = await store.readAggregates('retry', HOUR, HOUR);
      expect(aggregate).toMatchObject({ calls: 4, labelled: 4, outcomes: { accepted: 3, rejected: 1 }, completionTokens: 10, tokenCalls: 4 });
    });

    it('answers a batch mixing two slugs in order, and counts each slug apart (ids are per slug)', async () => {
      const statuses = await store.recordOutcomes([
        outcome('mix-a', 1, { id: 'm1', outcome: 'accepted', finishReason: 'stop' }),
        outcome('mix-b', 3, { id: 'm1', outcome: 'rejected', finishReason: 'length' }),
        outcome('mix-a', 2, { id: 'm2', hour: HOUR + 1, outcome: 'accepted' }),
        outcome('mix-b', 3, { id: 'm1', outcome: 'accepted' }),
        outcome('mix-a', 1, { id: 'm3', outcome: 'rejected', finishReason: 'stop' }),
        outcome('mix-b', 4, { id: 'm2', outputHash: 'z' }),
      ]);
      expect(statuses).toEqual(['accepted', 'accepted', 'accepted', 'duplicate', 'accepted', 'accepted']);
      const a = await store.readAggregates('mix-a', HOUR, HOUR + 1);
      expect(a.map((v) => [v.version, v.calls, v.outcomes, v.finishReasons])).toEqual([
        [1, 2, { accepted: 1, rejected: 1 }, { stop: 2 }],
        [2, 1, { accepted: 1 }, {}],
      ]);
      const b = await store.readAggregates('mix-b', HOUR, HOUR);
      expect(b.map((v) => [v.version, v.calls, v.outcomes, v.finishReasons, v.distinctOutputs])).toEqual([
        [3, 1, { rejected: 1 }, { length: 1 }, 0],
        [4, 1, {}, {}, 1],
      ]);
    });

    it('counts a large mixed batch exactly, as the sum of its distinct events', async () => {
      const slugs = ['bulk-a', 'bulk-b'];
      const events = Array.from({ length: 2600 }, (_, i) =>
        outcome(slugs[i % 2], 1 + (i % 3 === 0 ? 1 : 0), {
          id: `b${i % 2500}`,
          hour: HOUR + (i % 4),
          outcome: i % 5 === 0 ? 'accepted' : 'rejected',
          latencyMs: 100 + (i % 7) * 300,
          promptTokens: i,
          finishReason: i % 11 === 0 ? 'length' : 'stop',
          score: (i % 4) * 0.5,
          outputHash: `out-${i % 20}`,
        }),
      );
      const statuses = await store.recordOutcomes(events);
      expect(statuses.filter((s) => s === 'accepted')).toHaveLength(2500);
      expect(statuses.slice(2500)).toEqual(new Array(100).fill('duplicate'));
      for (const slug of slugs) {
        const counted = events.slice(0, 2500).filter((e) => e.slug === slug);
        const aggregates = await store.readAggregates(slug, HOUR, HOUR + 3);
        const total = (pick: (a: (typeof aggregates)[number]) => number) => aggregates.reduce((sum, a) => sum + pick(a), 0);
        expect(total((a) => a.calls)).toBe(counted.length);
        expect(total((a) => a.outcomes.accepted ?? 0)).toBe(counted.filter((e) => e.outcome === 'accepted').length);
        expect(total((a) => a.finishReasons.length ?? 0)).toBe(counted.filter((e) => e.finishReason === 'length').length);
        expect(total((a) => a.promptTokens)).toBe(counted.reduce((sum, e) => sum + (e.promptTokens ?? 0), 0));
        expect(total((a) => a.scoreSum)).toBe(counted.reduce((sum, e) => sum + (e.score ?? 0), 0));
        expect(total((a) => a.scoreSumSquares)).toBe(counted.reduce((sum, e) => sum + (e.score ?? 0) ** 2, 0));
        expect(total((a) => a.latency[latencyBucket(1900)] ?? 0)).toBe(counted.filter((e) => e.latencyMs === 1900).length);
        expect(aggregates.map((a) => [a.version, a.calls])).toEqual([
          [1, counted.filter((e) => e.version === 1).length],
          [2, counted.filter((e) => e.version === 2).length],
        ]);
        expect(aggregates.map((a) => a.distinctOutputs)).toEqual([10, 10]);
      }
    });

    it('merges writes from another instance and keeps a duplicate from it out', async () => {
      const peer = fixture.peer ?? store;
      await store.recordExposures([exposure('replicas', 1, 'a')]);
      await peer.recordExposures([exposure('replicas', 1, 'a'), exposure('replicas', 1, 'b')]);
      const event = outcome('replicas', 1, { outcome: 'accepted' });
      const [mine, theirs] = await Promise.all([store.recordOutcomes([event]), peer.recordOutcomes([event])]);
      expect([...mine, ...theirs].sort()).toEqual(['accepted', 'duplicate']);
      const [aggregate] = await peer.readAggregates('replicas', HOUR, HOUR);
      expect(aggregate).toMatchObject({ exposures: 3, users: 2, calls: 1 });
    });

    it('estimates distinct users of a large population within 2 %', async () => {
      const batch = Array.from({ length: 5000 }, (_, i) => exposure('many', 1, `user-${i % 4000}`, HOUR + (i % 3)));
      for (let i = 0; i < batch.length; i += 1000) await store.recordExposures(batch.slice(i, i + 1000));
      const [aggregate] = await store.readAggregates('many', HOUR, HOUR + 2);
      expect(aggregate.exposures).toBe(5000);
      expect(Math.abs(aggregate.users - 4000) / 4000).toBeLessThan(0.02);
    });
  });
}
