/**
 * Figure: change propagation to 100 stock flagd in-process clients (issues 4 and 5), same run as a loopback reference.
 *
 * Processes: the real Nest app (HTTP + flag-sync gRPC on a random SYNC_PORT, SYNC_REQUIRE_AUTH=false) pinned to
 * core 0; with REDIS_URL a second replica on the same Redis key prefix (core 0) whose own resolver is watched too;
 * two client processes pinned to core 1, each with 50 `FlagdProvider({ resolverType: 'in-process' })`, every one in
 * its own OpenFeature domain (its own gRPC stream). The orchestrator (this process) sends the HTTP calls.
 *
 * Clock: every process stamps with `performance.timeOrigin + performance.now()` (wall clock in ms, sub-ms
 * resolution, same machine). Latency = last client (or replica) serving the new variant − arrival of the 200.
 */
import { performance } from 'node:perf_hooks';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { OpenFeature, ProviderEvents, type Client, type JsonValue } from '@openfeature/server-sdk';
import { PromptResolver } from '../src/flags/prompt-resolver.service';
import { FlagSyncServer } from '../src/sync/flag-sync.server';
import { bootApp, BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, expectMessage, report, runChild, type BenchMessage } from './lib/child';
import { seedViaServices } from './lib/seed';
import { summarize, type Summary } from './lib/stats';

const SLUG = 'support-triage';
const TARGETING_KEY = 'user-propagation';
const CLIENT_PROCESSES = 2;

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}

export interface PropagationFigure {
  clients: number;
  clientProcesses: number;
  storeKind: string;
  replicas: number;
  pinned: { app: number | null; clients: number | null };
  /** Reference: GET /health round trips from the orchestrator, same run. */
  health: Summary;
  rollout: { latencyMs: Summary; putMs: Summary; firstClientMs: Summary };
  kill: { latencyMs: Summary; postMs: Summary; firstClientMs: Summary; replicaMs: Summary | null; restoreMs: Summary };
}

interface Reached extends BenchMessage {
  id: number;
  firstAt: number;
  lastAt: number;
}

export async function runPropagationFigure(): Promise<PropagationFigure> {
  const rolloutRounds = Number(process.env.BENCH_PROPAGATION_ROUNDS ?? 30);
  const killRounds = Number(process.env.BENCH_KILL_ROUNDS ?? 50);
  const clientsTotal = Number(process.env.BENCH_SYNC_CLIENTS ?? 100);
  const perProcess = Math.ceil(clientsTotal / CLIENT_PROCESSES);
  const prefix = `bench-prop-${process.pid}-${Date.now().toString(36)}`;
  const app = new BenchChild(__filename, ['app', 'primary', prefix], { cpu: 0, stdout: 'ignore' });
  const replica = process.env.REDIS_URL ? new BenchChild(__filename, ['app', 'replica', prefix], { cpu: 0, stdout: 'ignore' }) : undefined;
  const clients: BenchChild[] = [];
  try {
    const ready = await app.next<BenchMessage & { url: string; syncPort: number; storeKind: string }>('ready');
    if (replica) await replica.next('ready');
    const headers = { 'content-type': 'application/json', authorization: `Bearer ${BENCH_ADMIN_KEY}` };
    const call = async (method: string, path: string, body?: unknown, extra: Record<string, string> = {}) => {
      const started = wallNow();
      const res = await fetch(`${ready.url}${path}`, { method, headers: { ...headers, ...extra }, body: body === undefined ? undefined : JSON.stringify(body) });
      const text = await res.text();
      const at = wallNow();
      if (res.status !== 200) throw new Error(`${method} ${path} answered ${res.status}: ${text.slice(0, 300)}`);
      return { at, ms: at - started, json: JSON.parse(text) as Record<string, unknown> };
    };
    const putRollout = async (version: number) => {
      const current = await call('GET', `/v1/prompts/${SLUG}/rollout`);
      return call('PUT', `/v1/prompts/${SLUG}/rollout`, { reason: 'bench', allocation: [{ version, weight: 1 }], rules: [] }, { 'if-match': `"${String(current.json.revision)}"` });
    };
    await putRollout(2);

    for (let p = 0; p < CLIENT_PROCESSES; p++) {
      const count = Math.min(perProcess, clientsTotal - p * perProcess);
      clients.push(new BenchChild(__filename, ['clients', String(ready.syncPort), String(count), String(p * perProcess)], { cpu: 1 }));
    }
    for (const c of clients) await c.next('ready', 180_000);

    let id = 0;
    /** Arms every client (and the watched replicas' resolvers) for `variant`; resolves with the arrival times. */
    const arm = async (variant: string, watchApps: boolean) => {
      const my = ++id;
      const watchers = watchApps ? [app, ...(replica ? [replica] : [])] : replica ? [replica] : [];
      for (const c of clients) c.send({ type: 'expect', id: my, variant });
      for (const w of watchers) w.send({ type: 'watch', id: my, variant });
      for (const c of [...clients, ...watchers]) await c.next(`armed`);
      // Answers carry the arm id: one left unread by an earlier arm (e.g. a warm-up that only waited for clients)
      // is skipped instead of being taken for this one.
      const forId = async <T extends BenchMessage>(child: BenchChild, type: string): Promise<T> => {
        for (;;) {
          const message = await child.next<T>(type, 10_000);
          if (Number(message.id) === my) return message;
        }
      };
      return {
        clients: () => Promise.all(clients.map((c) => forId<Reached>(c, 'reached'))),
        apps: () => Promise.all(watchers.map((w) => forId<BenchMessage & { at: number }>(w, 'served'))),
      };
    };

    // Warm-up: HTTP client, routes and every client's first change.
    for (let i = 0; i < 20; i++) await call('GET', '/health');
    for (const version of [3, 2]) {
      const armed = await arm(`v${version}`, false);
      await putRollout(version);
      await armed.clients();
    }

    const health: number[] = [];
    const rollout = { latency: [] as number[], put: [] as number[], first: [] as number[] };
    for (let i = 0; i < rolloutRounds; i++) {
      for (let h = 0; h < 5; h++) health.push((await call('GET', '/health')).ms);
      const version = i % 2 === 0 ? 3 : 2;
      const current = await call('GET', `/v1/prompts/${SLUG}/rollout`);
      const armed = await arm(`v${version}`, false);
      const res = await call('PUT', `/v1/prompts/${SLUG}/rollout`, { reason: 'bench', allocation: [{ version, weight: 1 }], rules: [] }, { 'if-match': `"${String(current.json.revision)}"` });
      const reached = await armed.clients();
      await armed.apps();
      rollout.latency.push(Math.max(...reached.map((r) => r.lastAt)) - res.at);
      rollout.first.push(Math.min(...reached.map((r) => r.firstAt)) - res.at);
      rollout.put.push(res.ms);
    }
    // Leave the rollout on v2 (the kill serves the prod baseline v1; restore brings v2 back).
    if (rolloutRounds % 2 === 1) {
      const armed = await arm('v2', false);
      await putRollout(2);
      await armed.clients();
    }

    const kill = { latency: [] as number[], post: [] as number[], first: [] as number[], replica: [] as number[], restore: [] as number[] };
    for (let i = 0; i < killRounds; i++) {
      for (let h = 0; h < 2; h++) health.push((await call('GET', '/health')).ms);
      const armed = await arm('v1', true);
      const res = await call('POST', `/v1/prompts/${SLUG}/kill`, { reason: `bench kill ${i}` });
      const [reached, served] = await Promise.all([armed.clients(), armed.apps()]);
      const appTimes = served.map((s) => s.at);
      kill.latency.push(Math.max(...reached.map((r) => r.lastAt), ...appTimes) - res.at);
      kill.first.push(Math.min(...reached.map((r) => r.firstAt)) - res.at);
      if (replica) kill.replica.push(served[served.length - 1].at - res.at);
      kill.post.push(res.ms);
      const back = await arm('v2', true);
      const restored = await call('POST', `/v1/prompts/${SLUG}/restore`, { reason: `bench restore ${i}` });
      const [backReached, backServed] = await Promise.all([back.clients(), back.apps()]);
      kill.restore.push(Math.max(...backReached.map((r) => r.lastAt), ...backServed.map((s) => s.at)) - restored.at);
    }

    return {
      clients: clientsTotal,
      clientProcesses: clients.length,
      storeKind: ready.storeKind,
      replicas: replica ? 2 : 1,
      pinned: { app: app.pinnedTo ?? null, clients: clients[0]?.pinnedTo ?? null },
      health: summarize(health),
      rollout: { latencyMs: summarize(rollout.latency), putMs: summarize(rollout.put), firstClientMs: summarize(rollout.first) },
      kill: {
        latencyMs: summarize(kill.latency),
        postMs: summarize(kill.post),
        firstClientMs: summarize(kill.first),
        replicaMs: replica ? summarize(kill.replica) : null,
        restoreMs: summarize(kill.restore),
      },
    };
  } finally {
    await Promise.all([app.stop(), ...(replica ? [replica.stop()] : []), ...clients.map((c) => c.stop())]);
  }
}

// ---- children ---------------------------------------------------------------------------------------------------

async function appChild(role: string, prefix: string): Promise<void> {
  const overrides = { SYNC_PORT: 0, SYNC_REQUIRE_AUTH: false, ...(process.env.REDIS_URL ? { REDIS_KEY_PREFIX: prefix } : {}) };
  const bench = await bootApp({ listen: role === 'primary', overrides });
  if (role === 'primary') await seedViaServices(bench.app, SLUG);
  const resolver = bench.app.get(PromptResolver);
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'watch') {
      const variant = String(message.variant);
      const id = Number(message.id);
      // Poll the replica's own resolver every ~1 ms (setTimeout 0) until it serves `variant`.
      const poll = () => {
        if (resolver.resolve(SLUG, { targetingKey: TARGETING_KEY }).variant === variant) void report({ type: 'served', id, at: wallNow() });
        else setTimeout(poll, 0);
      };
      void report({ type: 'armed', id }).then(() => setTimeout(poll, 0));
    } else if (message.type === 'stop') {
      void bench.close().finally(() => process.exit(0));
    }
  });
  await report({ type: 'ready', url: bench.baseUrl, syncPort: bench.app.get(FlagSyncServer).port, storeKind: bench.storeKind });
  await new Promise(() => {});
}

async function clientsChild(port: number, count: number, first: number): Promise<void> {
  let expect: { id: number; variant: string; firstAt: number; reached: (number | undefined)[]; left: number } | undefined;
  const clients: Client[] = [];
  const evaluate = async (i: number) => {
    const armed = expect;
    if (!armed || armed.reached[i] !== undefined) return;
    const details = await clients[i].getObjectDetails(SLUG, {} as JsonValue, { targetingKey: TARGETING_KEY });
    if (details.variant !== armed.variant || armed.reached[i] !== undefined || expect !== armed) return;
    const at = wallNow();
    armed.reached[i] = at;
    armed.firstAt = Math.min(armed.firstAt, at);
    if (--armed.left === 0) {
      expect = undefined;
      void report({ type: 'reached', id: armed.id, firstAt: armed.firstAt, lastAt: at });
    }
  };
  for (let i = 0; i < count; i++) {
    const domain = `bench-sync-${first + i}`;
    const provider = new FlagdProvider({ resolverType: 'in-process', host: '127.0.0.1', port, deadlineMs: 5000 });
    await OpenFeature.setProviderAndWait(domain, provider);
    const client = OpenFeature.getClient(domain);
    clients.push(client);
    client.addHandler(ProviderEvents.ConfigurationChanged, () => void evaluate(i));
  }
  process.on('message', (message: BenchMessage) => {
    if (message.type !== 'expect') return;
    expect = { id: Number(message.id), variant: String(message.variant), firstAt: Infinity, reached: new Array<number | undefined>(count).fill(undefined), left: count };
    void report({ type: 'armed', id: message.id });
  });
  await report({ type: 'ready' });
  await expectMessage('stop');
  await OpenFeature.close();
}

if (require.main === module) {
  if (process.argv[2] === 'app') runChild(() => appChild(process.argv[3], process.argv[4]), { exitWhenDone: false });
  else if (process.argv[2] === 'clients') runChild(() => clientsChild(Number(process.argv[3]), Number(process.argv[4]), Number(process.argv[5])), { exitWhenDone: false });
}
