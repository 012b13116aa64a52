/**
 * Propagation bench child: `count` stock flagd in-process providers, each in its own OpenFeature domain (its own
 * SyncFlags stream). On `expect` it arms; each client counts as done when, after its ConfigurationChanged event,
 * `getObjectDetails` returns the expected variant. When the last one is, it answers `reached`.
 */
import { FlagdProvider } from '@openfeature/flagd-provider';
import { OpenFeature, ProviderEvents, type Client, type JsonValue } from '@openfeature/server-sdk';
import { expectMessage, report, runChild, type BenchMessage } from '../lib/child';
import { PROPAGATION_SLUG, PROPAGATION_TARGETING_KEY, type ClientsReached } from './protocol';
import { wallNow } from './wall-clock';

interface Round {
  id: number;
  variant: string;
  reachedAt: (number | undefined)[];
  receivedAt: (number | undefined)[];
  parseMs: number;
  left: number;
  cpuAtArm: NodeJS.CpuUsage;
}

/** The provider's in-process service, whose setFlagConfiguration every sync message goes through (not public API). */
interface InProcessService {
  setFlagConfiguration(json: string): string[];
}

async function clientsWorker(port: number, count: number, first: number): Promise<void> {
  let round: Round | undefined;
  const clients: Client[] = [];
  const evaluate = async (i: number) => {
    const armed = round;
    if (!armed || armed.reachedAt[i] !== undefined) return;
    const details = await clients[i].getObjectDetails(PROPAGATION_SLUG, {} as JsonValue, { targetingKey: PROPAGATION_TARGETING_KEY });
    if (details.variant !== armed.variant || armed.reachedAt[i] !== undefined || round !== armed) return;
    armed.reachedAt[i] = wallNow();
    if (--armed.left === 0) {
      round = undefined;
      void report(reachedMessage(armed));
    }
  };
  for (let i = 0; i < count; i++) {
    const domain = `bench-sync-${first + i}`;
    const provider = new FlagdProvider({ resolverType: 'in-process', host: '127.0.0.1', port, deadlineMs: 5000, ...connectionOptions(first + i) });
    stampSyncMessages(provider, (receivedAt, parseMs) => {
      if (!round || round.receivedAt[i] !== undefined) return;
      round.receivedAt[i] = receivedAt;
      round.parseMs += parseMs;
    });
    await OpenFeature.setProviderAndWait(domain, provider);
    const client = OpenFeature.getClient(domain);
    clients.push(client);
    client.addHandler(ProviderEvents.ConfigurationChanged, () => void evaluate(i));
  }
  process.on('message', (message: BenchMessage) => {
    if (message.type !== 'expect') return;
    round = { id: Number(message.id), variant: String(message.variant), reachedAt: new Array(count).fill(undefined), receivedAt: new Array(count).fill(undefined), parseMs: 0, left: count, cpuAtArm: process.cpuUsage() };
    void report({ type: 'armed', id: message.id });
  });
  await report({ type: 'ready' });
  await expectMessage('stop');
  await OpenFeature.close();
}

/**
 * Each client on its own TCP connection, as separate services would be. grpc-js shares one connection between
 * channels with identical options, so without this the worker's clients would all share one HTTP/2 connection (and
 * its flow-control window); a distinct default authority is the one per-client channel option the provider passes
 * through.
 */
function connectionOptions(index: number): { defaultAuthority?: string } {
  return process.env.BENCH_SYNC_SHARED_CONNECTION === '1' ? {} : { defaultAuthority: `bench-client-${index}` };
}

/** Stamps when each sync message reaches flagd-core and how long parsing it took; skipped if the internals moved. */
function stampSyncMessages(provider: FlagdProvider, stamp: (receivedAt: number, parseMs: number) => void): void {
  const service = (provider as unknown as { _service?: Partial<InProcessService> })._service;
  const original = service?.setFlagConfiguration;
  if (!service || typeof original !== 'function') return;
  service.setFlagConfiguration = (json: string) => {
    const receivedAt = wallNow();
    const changed = original.call(service, json);
    stamp(receivedAt, wallNow() - receivedAt);
    return changed;
  };
}

function reachedMessage(round: Round): ClientsReached {
  const reached = round.reachedAt.filter((t): t is number => t !== undefined);
  const received = round.receivedAt.filter((t): t is number => t !== undefined);
  const observed = received.length === round.receivedAt.length;
  const cpu = process.cpuUsage(round.cpuAtArm);
  return {
    type: 'reached',
    id: round.id,
    firstAt: Math.min(...reached),
    lastAt: Math.max(...reached),
    receivedFirstAt: observed ? Math.min(...received) : null,
    receivedLastAt: observed ? Math.max(...received) : null,
    parseMs: observed ? round.parseMs : null,
    cpuMs: (cpu.user + cpu.system) / 1000,
  };
}

runChild(() => clientsWorker(Number(process.argv[2]), Number(process.argv[3]), Number(process.argv[4])), { exitWhenDone: false });
