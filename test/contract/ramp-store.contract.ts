import type { RampRecord, RampStore } from '../../src/store/ports/ramp-store.port';
import type { PeerFixture } from './redis-test-keys';

export type RampStoreFixture = PeerFixture<RampStore>;

export function rampRecord(overrides: Partial<RampRecord> = {}): RampRecord {
  return {
    id: 'r1',
    slug: 's',
    candidate: 2,
    baseline: 1,
    steps: [1, 50, 100],
    stepIndex: 0,
    holdSeconds: 60,
    guardrails: null,
    status: 'running',
    nextStepAt: '2026-01-01T00:01:00.000Z',
    createdAt: '2026-01-01T00:00:00.000Z',
    createdBy: 'alice',
    updatedAt: '2026-01-01T00:00:00.000Z',
    reason: 'test',
    stopReason: null,
    evidence: null,
    history: [],
    revision: 1,
    ...overrides,
  };
}

export function describeRampStoreContract(name: string, make: () => Promise<RampStoreFixture>): void {
  describe(`${name} satisfies RampStore`, () => {
    let fixture: RampStoreFixture;

    beforeEach(async () => {
      fixture = await make();
    });

    afterEach(() => fixture.dispose());

    it('has no ramp until one is put, then returns it to every replica and lists its slug', async () => {
      expect(await fixture.store.get('s')).toBeNull();
      expect(await fixture.store.slugs()).toEqual([]);
      expect(await fixture.store.put('s', 0, rampRecord())).toBe(true);
      expect(await fixture.peer.get('s')).toEqual(rampRecord());
      expect(await fixture.peer.get('other')).toBeNull();
      expect(await fixture.peer.slugs()).toEqual(['s']);
    });

    it('writes only when the expected revision is current (compare-and-set)', async () => {
      expect(await fixture.store.put('s', 0, rampRecord())).toBe(true);
      expect(await fixture.peer.put('s', 0, rampRecord({ id: 'r2' }))).toBe(false);
      expect(await fixture.peer.put('s', 1, rampRecord({ stepIndex: 1, revision: 2 }))).toBe(true);
      expect(await fixture.store.put('s', 1, rampRecord({ stepIndex: 2, revision: 2 }))).toBe(false);
      expect((await fixture.store.get('s'))?.stepIndex).toBe(1);
    });

    it('lets exactly one of many concurrent writers of the same revision win', async () => {
      await fixture.store.put('s', 0, rampRecord());
      const wins = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? fixture.store : fixture.peer).put('s', 1, rampRecord({ stepIndex: 1, revision: 2, id: `w${i}` }))));
      expect(wins.filter(Boolean)).toHaveLength(1);
    });

    it('grants the lease to exactly one of many concurrent owners, until it is released', async () => {
      const grants = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? fixture.store : fixture.peer).acquireLease('s', `o${i}`, 60_000)));
      expect(grants.filter(Boolean)).toHaveLength(1);
      const owner = `o${grants.indexOf(true)}`;
      expect(await fixture.store.acquireLease('other', 'x', 60_000)).toBe(true);
      await fixture.peer.releaseLease('s', 'not-the-owner');
      expect(await fixture.store.acquireLease('s', 'y', 60_000)).toBe(false);
      await fixture.peer.releaseLease('s', owner);
      expect(await fixture.store.acquireLease('s', 'y', 60_000)).toBe(true);
    });

    it('lets an expired lease be taken (a crashed holder never blocks a ramp for good)', async () => {
      expect(await fixture.store.acquireLease('s', 'a', 200)).toBe(true);
      expect(await fixture.peer.acquireLease('s', 'b', 200)).toBe(false);
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(await fixture.peer.acquireLease('s', 'b', 200)).toBe(true);
    });
  });
}
