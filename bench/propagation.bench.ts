/**
 * Figure: change propagation to 100 stock flagd in-process clients (issues 4 and 5), same run as a loopback reference.
 *
 * Processes (bench/propagation/): the real Nest app (HTTP + flag-sync gRPC on a random SYNC_PORT,
 * SYNC_REQUIRE_AUTH=false) pinned to core 0; with REDIS_URL a second replica on the same Redis key prefix (core 0)
 * whose own resolver is watched too; BENCH_SYNC_CLIENT_PROCESSES (default: one per core) client processes sharing the
 * 100 `FlagdProvider({ resolverType: 'in-process' })`, every one in its own OpenFeature domain (its own gRPC stream
 * and TCP connection), pinned to the last core first, then down to core 0. The orchestrator (this process) sends the
 * HTTP calls.
 *
 * Why the clients are spread over both cores, one process per core: every sync message costs each stock client a
 * full parse in flagd-core (JSON, schema validation, an object-hash of every flag, a compiled targeting rule) plus
 * its gRPC receive and OpenFeature events, about 0.3 ms here. 100 clients on one core queue 30 ms of CPU behind each
 * other, which measures that core, not propagation; real clients run in separate services on separate machines.
 * More processes than cores only add context switches and a JIT and GC per process (4 processes on 2 cores spent
 * about 1.2-1.7x the client CPU per change of 2 processes).
 *
 * Clock: every process stamps with `performance.timeOrigin + performance.now()` (wall clock in ms, sub-ms
 * resolution, same machine). Latency = last client (or replica) serving the new variant − arrival of the 200.
 */
import { availableParallelism } from 'node:os';
import { BENCH_ADMIN_KEY } from './lib/boot-app';
import { BenchChild, canPin, type BenchMessage } from './lib/child';
import { summarize, type Summary } from './lib/stats';
import { PROPAGATION_SLUG as SLUG, type ClientsReached } from './propagation/protocol';
import { wallNow } from './propagation/wall-clock';

const APP_WORKER = `${__dirname}/propagation/app-worker.js`;
const CLIENTS_WORKER = `${__dirname}/propagation/clients-worker.js`;

export interface PropagationFigure {
  clients: number;
  clientProcesses: number;
  storeKind: string;
  replicas: number;
  /** `clients` is null when the client processes are spread over several cores (see `clientCores`). */
  pinned: { app: number | null; clients: number | null };
  clientCores: number[];
  /** Unmeasured changes before the rounds: rollout changes, then kill/restore pairs. */
  warmup: { rolloutChanges: number; killRestorePairs: number };
  /** Reference: GET /health round trips from the orchestrator, same run. */
  health: Summary;
  rollout: { latencyMs: Summary; putMs: Summary; firstClientMs: Summary; breakdown: Breakdown | null };
  kill: { latencyMs: Summary; postMs: Summary; firstClientMs: Summary; replicaMs: Summary | null; restoreMs: Summary; breakdown: Breakdown | null };
}

/** Where the time goes, each relative to the 200 (negative: before it). */
export interface Breakdown {
  servingStateChangeMs: Summary;
  firstSyncMessageMs: Summary;
  lastSyncMessageMs: Summary;
  /** CPU time of flagd-core's setConfigurations per client and change. */
  clientParseMs: Summary;
  /** CPU time all client processes together used per change (receive, parse, event, evaluation). */
  clientsCpuMs: Summary;
}

interface BreakdownSamples {
  change: number[];
  first: number[];
  last: number[];
  parse: number[];
  cpu: number[];
}

export async function runPropagationFigure(): Promise<PropagationFigure> {
  // 100 rounds each, so that p99 is the second-worst round rather than the worst of a few.
  const rolloutRounds = Number(process.env.BENCH_PROPAGATION_ROUNDS ?? 100);
  const killRounds = Number(process.env.BENCH_KILL_ROUNDS ?? 100);
  const warmup = { rolloutChanges: Number(process.env.BENCH_PROPAGATION_WARMUP ?? 60), killRestorePairs: Number(process.env.BENCH_KILL_WARMUP ?? 10) };
  const clientsTotal = Number(process.env.BENCH_SYNC_CLIENTS ?? 100);
  const clientProcesses = Number(process.env.BENCH_SYNC_CLIENT_PROCESSES ?? availableParallelism());
  const perProcess = Math.ceil(clientsTotal / clientProcesses);
  const prefix = `bench-prop-${process.pid}-${Date.now().toString(36)}`;
  const app = new BenchChild(APP_WORKER, ['primary', prefix], { cpu: 0, stdout: 'ignore' });
  const replica = process.env.REDIS_URL ? new BenchChild(APP_WORKER, ['replica', prefix], { cpu: 0, stdout: 'ignore' }) : undefined;
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
    /** PUT …/rollout with 100 % on `version`, If-Match the revision just read; resolves with the PUT's own timing. */
    const putRollout = async (version: number) => {
      const current = await call('GET', `/v1/prompts/${SLUG}/rollout`);
      return call('PUT', `/v1/prompts/${SLUG}/rollout`, { reason: 'bench', allocation: [{ version, weight: 1 }], rules: [] }, { 'if-match': `"${String(current.json.revision)}"` });
    };
    await putRollout(2);

    const cores = clientCores(clientProcesses);
    for (let p = 0; p < clientProcesses; p++) {
      const count = Math.min(perProcess, clientsTotal - p * perProcess);
      if (count <= 0) break;
      clients.push(new BenchChild(CLIENTS_WORKER, [String(ready.syncPort), String(count), String(p * perProcess)], { cpu: cores[p] }));
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
        clients: () => Promise.all(clients.map((c) => forId<ClientsReached>(c, 'reached'))),
        apps: () => Promise.all(watchers.map((w) => forId<BenchMessage & { at: number }>(w, 'served'))),
      };
    };
    /** The primary's ServingState change stamps since the last call. */
    const appChanges = async (): Promise<number[]> => {
      app.send({ type: 'changes' });
      return (await app.next<BenchMessage & { at: number[] }>('changes')).at;
    };

    /** Rolls out the other of v2/v3 (alternating from the last change, warm-up included) and waits for every client. */
    let rolledOut = 2;
    const rolloutRound = async () => {
      const version = (rolledOut = rolledOut === 2 ? 3 : 2);
      const armed = await arm(`v${version}`, false);
      await appChanges();
      const res = await putRollout(version);
      const reached = await armed.clients();
      await armed.apps();
      return { res, reached, changes: await appChanges() };
    };
    /** Kills to the prod baseline v1, then restores the rollout (v2); waits for every client and watched resolver each time. */
    const killRound = async (label: string) => {
      const armed = await arm('v1', true);
      await appChanges();
      const res = await call('POST', `/v1/prompts/${SLUG}/kill`, { reason: `bench kill ${label}` });
      const [reached, served] = await Promise.all([armed.clients(), armed.apps()]);
      const changes = await appChanges();
      const back = await arm('v2', true);
      const restored = await call('POST', `/v1/prompts/${SLUG}/restore`, { reason: `bench restore ${label}` });
      const [backReached, backServed] = await Promise.all([back.clients(), back.apps()]);
      const restoredAt = Math.max(...backReached.map((r) => r.lastAt), ...backServed.map((s) => s.at));
      return { res, reached, served, changes, restoreMs: restoredAt - restored.at };
    };

    // Warm-up, unmeasured: HTTP client and routes, then enough changes for V8 to finish optimising the stock
    // clients' parse path (object-hash, ajv, json-logic): over the first ~40 changes each client process spends up
    // to 3x the CPU per change it spends afterwards.
    for (let i = 0; i < 20; i++) await call('GET', '/health');
    for (let i = 0; i < warmup.rolloutChanges; i++) await rolloutRound();

    const health: number[] = [];
    const rollout = { latency: [] as number[], put: [] as number[], first: [] as number[], breakdown: emptySamples() };
    for (let i = 0; i < rolloutRounds; i++) {
      for (let h = 0; h < 5; h++) health.push((await call('GET', '/health')).ms);
      const { res, reached, changes } = await rolloutRound();
      rollout.latency.push(Math.max(...reached.map((r) => r.lastAt)) - res.at);
      rollout.first.push(Math.min(...reached.map((r) => r.firstAt)) - res.at);
      rollout.put.push(res.ms);
      addBreakdown(rollout.breakdown, res.at, changes, reached, clientsTotal);
    }
    // The kill rounds restore to v2: start from it.
    if (rolledOut !== 2) await rolloutRound();

    for (let i = 0; i < warmup.killRestorePairs; i++) await killRound(`warm-up ${i}`);
    const kill = { latency: [] as number[], post: [] as number[], first: [] as number[], replica: [] as number[], restore: [] as number[], breakdown: emptySamples() };
    for (let i = 0; i < killRounds; i++) {
      for (let h = 0; h < 2; h++) health.push((await call('GET', '/health')).ms);
      const { res, reached, served, changes, restoreMs } = await killRound(String(i));
      kill.latency.push(Math.max(...reached.map((r) => r.lastAt), ...served.map((s) => s.at)) - res.at);
      kill.first.push(Math.min(...reached.map((r) => r.firstAt)) - res.at);
      if (replica) kill.replica.push(served[served.length - 1].at - res.at);
      kill.post.push(res.ms);
      addBreakdown(kill.breakdown, res.at, changes, reached, clientsTotal);
      kill.restore.push(restoreMs);
    }

    const spread = new Set(cores).size > 1;
    return {
      clients: clientsTotal,
      clientProcesses: clients.length,
      storeKind: ready.storeKind,
      replicas: replica ? 2 : 1,
      pinned: { app: app.pinnedTo ?? null, clients: spread ? null : (clients[0]?.pinnedTo ?? null) },
      clientCores: clients.flatMap((c) => (c.pinnedTo === undefined ? [] : [c.pinnedTo])),
      warmup,
      health: summarize(health),
      rollout: { latencyMs: summarize(rollout.latency), putMs: summarize(rollout.put), firstClientMs: summarize(rollout.first), breakdown: summarizeBreakdown(rollout.breakdown) },
      kill: {
        latencyMs: summarize(kill.latency),
        postMs: summarize(kill.post),
        firstClientMs: summarize(kill.first),
        replicaMs: replica ? summarize(kill.replica) : null,
        restoreMs: summarize(kill.restore),
        breakdown: summarizeBreakdown(kill.breakdown),
      },
    };
  } finally {
    await Promise.all([app.stop(), ...(replica ? [replica.stop()] : []), ...clients.map((c) => c.stop())]);
  }
}

/**
 * Cores for the client processes, if pinning is possible: alternately the last core and the others (the app is on
 * core 0), or all on BENCH_SYNC_CLIENT_CORE (the layout of the first version of this figure).
 */
function clientCores(processes: number): (number | undefined)[] {
  if (!canPin()) return new Array<undefined>(processes).fill(undefined);
  const single = process.env.BENCH_SYNC_CLIENT_CORE;
  if (single !== undefined) return new Array<number>(processes).fill(Number(single));
  const count = availableParallelism();
  return Array.from({ length: processes }, (_, p) => count - 1 - (p % count));
}

function emptySamples(): BreakdownSamples {
  return { change: [], first: [], last: [], parse: [], cpu: [] };
}

function addBreakdown(samples: BreakdownSamples, answeredAt: number, changes: readonly number[], reached: readonly ClientsReached[], clients: number): void {
  const received = reached.filter((r) => r.receivedFirstAt !== null && r.receivedLastAt !== null && r.parseMs !== null);
  if (changes.length === 0 || received.length !== reached.length) return;
  samples.change.push(changes[0] - answeredAt);
  samples.first.push(Math.min(...received.map((r) => r.receivedFirstAt as number)) - answeredAt);
  samples.last.push(Math.max(...received.map((r) => r.receivedLastAt as number)) - answeredAt);
  samples.parse.push(received.reduce((sum, r) => sum + (r.parseMs as number), 0) / clients);
  samples.cpu.push(reached.reduce((sum, r) => sum + r.cpuMs, 0));
}

function summarizeBreakdown(samples: BreakdownSamples): Breakdown | null {
  if (samples.change.length === 0) return null;
  return {
    servingStateChangeMs: summarize(samples.change),
    firstSyncMessageMs: summarize(samples.first),
    lastSyncMessageMs: summarize(samples.last),
    clientParseMs: summarize(samples.parse),
    clientsCpuMs: summarize(samples.cpu),
  };
}
