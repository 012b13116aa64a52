import type { AlertStore } from '../../src/store/ports/alert-store.port';
import type { PeerFixture } from './redis-test-keys';

export type AlertStoreFixture = PeerFixture<AlertStore>;

export function describeAlertStoreContract(name: string, make: () => Promise<AlertStoreFixture>): void {
  describe(`${name} satisfies AlertStore`, () => {
    let fixture: AlertStoreFixture;

    beforeEach(async () => {
      fixture = await make();
    });

    afterEach(() => fixture.dispose());

    it('has no rules for a slug until they are put, then returns them (to every replica)', async () => {
      expect(await fixture.store.getRules('s')).toBeNull();
      await fixture.store.putRules('s', { outcomeDropRelative: 0.2, srm: false, goodOutcomes: ['ok'] });
      expect(await fixture.peer.getRules('s')).toEqual({ outcomeDropRelative: 0.2, srm: false, goodOutcomes: ['ok'] });
      await fixture.store.putRules('s', {});
      expect(await fixture.store.getRules('s')).toEqual({});
      expect(await fixture.store.getRules('other')).toBeNull();
    });

    it('keeps a null threshold (a disabled rule) as null', async () => {
      await fixture.store.putRules('s', { p95LatencyUpRelative: null });
      expect(await fixture.peer.getRules('s')).toEqual({ p95LatencyUpRelative: null });
    });

    it('grants a delivery claim to exactly one of many concurrent claimants', async () => {
      const claims = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? fixture.store : fixture.peer).claimDelivery('s', 'k1', 60)));
      expect(claims.filter(Boolean)).toHaveLength(1);
      expect(await fixture.store.claimDelivery('s', 'k2', 60)).toBe(true);
      expect(await fixture.store.claimDelivery('other', 'k1', 60)).toBe(true);
    });

    it('lets a released claim be taken again', async () => {
      expect(await fixture.store.claimDelivery('s', 'k', 60)).toBe(true);
      await fixture.peer.releaseDelivery('s', 'k');
      expect(await fixture.peer.claimDelivery('s', 'k', 60)).toBe(true);
      expect(await fixture.store.claimDelivery('s', 'k', 60)).toBe(false);
    });

    it('lets an expired claim be taken again', async () => {
      expect(await fixture.store.claimDelivery('s', 'short', 1)).toBe(true);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(await fixture.peer.claimDelivery('s', 'short', 1)).toBe(true);
    });
  });
}
