/**
 * Propagation bench child: one replica of the real Nest app (HTTP + flag sync). The primary seeds the slug. On
 * `watch` it polls its own resolver until it serves a variant; on `changes` it answers when its ServingState changed
 * since the last ask.
 */
import { PromptResolver } from '../../src/flags/prompt-resolver.service';
import { ServingState } from '../../src/flags/serving-state.service';
import { FlagSyncServer } from '../../src/sync/flag-sync.server';
import { bootApp } from '../lib/boot-app';
import { report, runChild, type BenchMessage } from '../lib/child';
import { seedViaServices } from '../lib/seed';
import { PROPAGATION_SLUG, PROPAGATION_TARGETING_KEY } from './protocol';
import { wallNow } from './wall-clock';

async function appWorker(role: string, prefix: string): Promise<void> {
  const overrides = { SYNC_PORT: 0, SYNC_REQUIRE_AUTH: false, ...(process.env.REDIS_URL ? { REDIS_KEY_PREFIX: prefix } : {}) };
  const bench = await bootApp({ listen: role === 'primary', overrides });
  // v1 prod, v2 and v3 staging; everyone served v2 to start with.
  if (role === 'primary') await seedViaServices(bench.app, PROPAGATION_SLUG, { allocation: [{ version: 2, weight: 1 }], rules: [] });
  const resolver = bench.app.get(PromptResolver);
  let changedAt: number[] = [];
  bench.app.get(ServingState).onChange(() => changedAt.push(wallNow()));
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'watch') {
      const variant = String(message.variant);
      const id = Number(message.id);
      // Polls the replica's own resolver every ~1 ms (setTimeout 0) until it serves `variant`.
      const poll = () => {
        if (resolver.resolve(PROPAGATION_SLUG, { targetingKey: PROPAGATION_TARGETING_KEY }).variant === variant) void report({ type: 'served', id, at: wallNow() });
        else setTimeout(poll, 0);
      };
      void report({ type: 'armed', id }).then(() => setTimeout(poll, 0));
    } else if (message.type === 'changes') {
      void report({ type: 'changes', at: changedAt });
      changedAt = [];
    } else if (message.type === 'stop') {
      void bench.close().finally(() => process.exit(0));
    }
  });
  await report({ type: 'ready', url: bench.baseUrl, syncPort: bench.app.get(FlagSyncServer).port, storeKind: bench.storeKind });
  await new Promise(() => {});
}

runChild(() => appWorker(process.argv[2], process.argv[3]), { exitWhenDone: false });
