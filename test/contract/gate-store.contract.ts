import type { Approval, EvalResult } from '../../src/gates/domain/promotion-gates';
import type { GateStore } from '../../src/store/ports/gate-store.port';
import type { PeerFixture } from './redis-test-keys';

export type GateStoreFixture = PeerFixture<GateStore>;

export function evalResult(overrides: Partial<EvalResult> = {}): EvalResult {
  return { suiteHash: 'suite-1', score: 0.9, passed: true, recordedAt: '2026-01-01T00:00:00.000Z', recordedBy: 'ci', auditId: 's:1', ...overrides };
}

export function approval(overrides: Partial<Approval> = {}): Approval {
  return { approver: 'bob', comment: 'lgtm', at: '2026-01-01T00:00:00.000Z', auditId: 's:2', ...overrides };
}

export function describeGateStoreContract(name: string, make: () => Promise<GateStoreFixture>): void {
  describe(`${name} satisfies GateStore`, () => {
    let fixture: GateStoreFixture;

    beforeEach(async () => {
      fixture = await make();
    });
    afterEach(async () => fixture.dispose());

    it('has no evidence and no policy for a version nobody touched', async () => {
      await expect(fixture.store.evidence('s', 1)).resolves.toEqual({ evals: [], approvals: [] });
      await expect(fixture.store.getPolicy('s')).resolves.toBeNull();
    });

    it('keeps every eval, oldest first, per version, visible to another replica', async () => {
      await fixture.store.addEval('s', 1, evalResult({ score: 0.5, passed: false, auditId: 's:1' }));
      await fixture.peer.addEval('s', 1, evalResult({ score: 0.95, runUrl: 'https://ci.example/run/7', auditId: 's:2' }));
      await fixture.store.addEval('s', 2, evalResult({ score: 0.1, auditId: 's:3' }));
      const evidence = await fixture.peer.evidence('s', 1);
      expect(evidence.evals).toEqual([evalResult({ score: 0.5, passed: false, auditId: 's:1' }), evalResult({ score: 0.95, runUrl: 'https://ci.example/run/7', auditId: 's:2' })]);
      expect((await fixture.store.evidence('s', 2)).evals.map((e) => e.score)).toEqual([0.1]);
      expect((await fixture.store.evidence('other', 1)).evals).toEqual([]);
    });

    it('records one approval per approver: the first stays, a repeat is refused', async () => {
      await expect(fixture.store.addApproval('s', 1, approval({ approver: 'bob', comment: 'first' }))).resolves.toBe(true);
      await expect(fixture.peer.addApproval('s', 1, approval({ approver: 'bob', comment: 'again' }))).resolves.toBe(false);
      await expect(fixture.store.addApproval('s', 1, approval({ approver: 'carol', at: '2026-01-01T00:00:01.000Z' }))).resolves.toBe(true);
      const { approvals } = await fixture.peer.evidence('s', 1);
      expect(approvals.map((a) => [a.approver, a.comment])).toEqual([
        ['bob', 'first'],
        ['carol', 'lgtm'],
      ]);
      expect((await fixture.store.evidence('s', 2)).approvals).toEqual([]);
    });

    it('replaces a slug’s policy and leaves other slugs on the defaults', async () => {
      const policy = { evalThreshold: 0.8, highStakes: true, canaryPercent: 2, updatedAt: '2026-01-01T00:00:00.000Z', updatedBy: 'admin' };
      await fixture.store.putPolicy('s', policy);
      await fixture.peer.putPolicy('s', { ...policy, evalThreshold: null });
      await expect(fixture.store.getPolicy('s')).resolves.toEqual({ ...policy, evalThreshold: null });
      await expect(fixture.store.getPolicy('t')).resolves.toBeNull();
    });
  });
}
