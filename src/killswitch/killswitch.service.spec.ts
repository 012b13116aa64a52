import type { Principal } from '../auth/domain/principal';
import { StoreUnavailableError } from '../common/domain/domain-error';
import type { PromptChangePublisher } from '../flags/prompt-change.publisher';
import { createEmbeddedStores } from '../store/embedded/create-embedded-stores';
import { EmbeddedDatabase } from '../store/embedded/embedded-database';
import type { StoreSet } from '../store/store-set';
import { KillTargetRefusedError, NotKilledError } from './domain/killswitch.errors';
import { KillSwitchService } from './killswitch.service';

const oncall: Principal = { keyId: 'k1', name: 'oncall', role: 'responder' };
const at = () => new Date().toISOString();

describe(KillSwitchService.name, () => {
  let db: EmbeddedDatabase;
  let stores: ReturnType<typeof createEmbeddedStores>;
  let published: [string, number][];
  let sut: KillSwitchService;

  beforeEach(async () => {
    db = EmbeddedDatabase.inMemory();
    stores = createEmbeddedStores(db);
    published = [];
    const changes = { changed: async (slug: string, revision: number) => void published.push([slug, revision]) } as unknown as PromptChangePublisher;
    sut = new KillSwitchService(stores.promptStore, stores.auditLog, changes);
    for (let i = 0; i < 3; i++) {
      await stores.promptStore.createVersion(
        { slug: 'p', template: `t${i}`, variables: [], modelHint: 'm', rationale: 'r', contentHash: `h${i}`, author: 'a', createdAt: at() },
        (v) => ({ at: at(), actor: 'a', action: 'version.created', slug: 'p', version: v.version }),
      );
    }
    await stores.promptStore.changeStatuses('p', 0, [{ version: 1, from: 'draft', to: 'staging' }, { version: 1, from: 'staging', to: 'prod' }], []);
  });
  afterEach(() => {
    stores.changeFeed.close();
    db.close();
  });

  it('kills to the prod baseline, publishes the new revision, and is idempotent', async () => {
    const first = await sut.kill('p', 'incident', oncall);
    expect(first).toMatchObject({ killed: true, changed: true, kill: { toVersion: 1, actor: 'oncall' } });
    expect(published).toEqual([['p', first.revision]]);
    const again = await sut.kill('p', 'again', oncall);
    expect(again).toEqual({ ...first, changed: false });
    expect(published).toHaveLength(1);
  });

  it('keeps one consistent kill when kills race with each other and with a rollout edit', async () => {
    const results = await Promise.all([
      sut.kill('p', 'a', oncall),
      sut.kill('p', 'b', oncall),
      stores.promptStore.putRollout('p', 1, { allocation: [], rules: [], updatedAt: at(), updatedBy: 'x' }, { at: at(), actor: 'x', action: 'rollout' }),
    ]);
    const state = await stores.promptStore.getState('p');
    expect(state.kill).toMatchObject({ toVersion: 1 });
    expect(results.filter((r) => 'changed' in r && r.changed)).toHaveLength(1);
    expect((await stores.auditLog.readChain('p')).filter((e) => e.action === 'kill.set')).toHaveLength(1);
  });

  it('refuses a draft with an audited kill.refused, and a restore when not killed with an audited restore.refused', async () => {
    await expect(sut.kill('p', 'draft please', oncall, 3)).rejects.toThrow(KillTargetRefusedError);
    await expect(sut.restore('p', 'nothing', oncall)).rejects.toThrow(NotKilledError);
    const actions = (await stores.auditLog.readChain('p')).map((e) => e.action);
    expect(actions.slice(-2)).toEqual(['kill.refused', 'restore.refused']);
    expect((await stores.promptStore.getState('p')).kill).toBeNull();
  });

  it('fails with StoreUnavailableError and writes nothing when the store is gone', async () => {
    db.close();
    await expect(sut.kill('p', 'outage', oncall)).rejects.toThrow(StoreUnavailableError);
    await expect(sut.killAll('outage', oncall)).rejects.toThrow(StoreUnavailableError);
    expect(published).toEqual([]);
  });
});
