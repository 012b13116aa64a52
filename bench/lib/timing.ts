import { PerformanceObserver, performance } from 'node:perf_hooks';
import { summarize, type Summary } from './stats';

/** Calls `fn(i)` for i in [start, start + n). Compiled once per target so each has its own call-site feedback. */
type BatchRunner = (fn: (i: number) => unknown, start: number, n: number) => number;

function newBatchRunner(): BatchRunner {
  // A fresh function per target: a shared loop would see several targets at its call site, go megamorphic and
  // stop inlining, which would penalise whichever target is measured second.
  return new Function(
    'fn',
    'start',
    'n',
    'let sink = 0; const end = start + n; for (let i = start; i < end; i++) { if (fn(i) === undefined) sink++; } return sink;',
  ) as BatchRunner;
}

export interface GcWindowStats {
  minor: number;
  major: number;
  pauseMs: number;
}

/** Collects GC events (perf_hooks) so a measurement window can report GCs and pause time within it. */
export class GcRecorder {
  private readonly events: { start: number; duration: number; kind: number }[] = [];
  private readonly observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const detail = (entry as unknown as { detail?: { kind?: number } }).detail;
      this.events.push({ start: entry.startTime, duration: entry.duration, kind: detail?.kind ?? 0 });
    }
  });

  start(): void {
    this.observer.observe({ entryTypes: ['gc'] });
  }

  stop(): void {
    this.observer.disconnect();
  }

  /** GCs that started within any of `windows` ([start, end] in performance.now() ms). */
  within(windows: readonly [number, number][]): GcWindowStats {
    const stats = { minor: 0, major: 0, pauseMs: 0 };
    for (const e of this.events) {
      if (!windows.some(([a, b]) => e.start >= a && e.start <= b)) continue;
      // perf_hooks constants: 1 = minor (scavenge), 2 = major (mark-compact), 4 = incremental marking, 8 = weak callbacks.
      if (e.kind === 1) stats.minor++;
      else if (e.kind === 2) stats.major++;
      stats.pauseMs += e.duration;
    }
    return stats;
  }
}

export interface TargetMeasurement {
  name: string;
  calls: number;
  /** Sum of the timed batches (the loop only, not the bookkeeping between batches). */
  totalNs: number;
  opsPerSec: number;
  /** ops/s of each timed round, in order (shows drift and interference). */
  roundOpsPerSec: number[];
  /** Per-call time in ns, from per-batch averages (see `batchSize`). */
  perCallNs: Summary;
  batchSize: number;
  gc: GcWindowStats;
  /** Fraction of the measured time spent in GC pauses. */
  gcShare: number;
  /** Approximate bytes allocated per call (heapUsed growth over GC-free windows). */
  bytesPerCall: number;
}

export interface Target {
  name: string;
  fn: (i: number) => unknown;
}

export interface MeasureOptions {
  batchSize: number;
  warmupMs: number;
  roundMs: number;
  rounds: number;
}

const CAPACITY = 1 << 21;

/**
 * Measures targets interleaved (A B A B …, `rounds` rounds of `roundMs` each, after `warmupMs` of warm-up each) so
 * that drift (thermal, other tenants, GC state) hits all of them alike. Each batch of `batchSize` calls is timed
 * with process.hrtime.bigint(); a timer read costs ~30-60 ns, under 0.1 % of a 100-call batch at µs per call.
 */
export async function measureInterleaved(targets: readonly Target[], options: MeasureOptions, gc: GcRecorder): Promise<TargetMeasurement[]> {
  const runners = targets.map(() => newBatchRunner());
  const samples = targets.map(() => new Float64Array(CAPACITY));
  const counts = targets.map(() => 0);
  const totals = targets.map(() => 0n);
  const windows = targets.map((): [number, number][] => []);
  const cursor = targets.map(() => 0);
  const rounds = targets.map((): number[] => []);
  const { batchSize } = options;

  const runFor = (t: number, ms: number, record: boolean) => {
    const fn = targets[t].fn;
    const run = runners[t];
    const deadline = process.hrtime.bigint() + BigInt(Math.round(ms * 1e6));
    const windowStart = performance.now();
    let i = cursor[t];
    let roundNs = 0n;
    let roundCalls = 0;
    for (;;) {
      const t0 = process.hrtime.bigint();
      run(fn, i, batchSize);
      const t1 = process.hrtime.bigint();
      i += batchSize;
      if (record && counts[t] < CAPACITY) {
        samples[t][counts[t]++] = Number(t1 - t0) / batchSize;
        totals[t] += t1 - t0;
        roundNs += t1 - t0;
        roundCalls += batchSize;
      }
      if (t1 >= deadline) break;
    }
    cursor[t] = i;
    if (record) {
      windows[t].push([windowStart, performance.now()]);
      rounds[t].push(roundCalls / (Number(roundNs) / 1e9));
    }
  };

  for (let t = 0; t < targets.length; t++) runFor(t, options.warmupMs, false);
  for (let round = 0; round < options.rounds; round++) {
    for (let t = 0; t < targets.length; t++) {
      runFor(t, options.roundMs, true);
      await new Promise((resolve) => setImmediate(resolve)); // lets the GC observer deliver its entries
    }
  }
  await new Promise((resolve) => setTimeout(resolve, 20));

  return targets.map((target, t) => {
    const perCall = Array.from(samples[t].subarray(0, counts[t]));
    const calls = counts[t] * batchSize;
    const totalNs = Number(totals[t]);
    const gcStats = gc.within(windows[t]);
    return {
      name: target.name,
      calls,
      totalNs,
      opsPerSec: calls / (totalNs / 1e9),
      roundOpsPerSec: rounds[t],
      perCallNs: summarize(perCall),
      batchSize,
      gc: gcStats,
      gcShare: gcStats.pauseMs / (totalNs / 1e6),
      bytesPerCall: bytesPerCall(target.fn),
    };
  });
}

/**
 * Approximate allocation per call: heapUsed growth over windows of 200 calls, keeping only windows in which no
 * scavenge ran (growth > 0 and not an outlier), median over 60 windows. New-space allocation is a bump pointer,
 * so heapUsed grows by what was allocated until the next GC.
 */
function bytesPerCall(fn: (i: number) => unknown): number {
  const calls = 200;
  const deltas: number[] = [];
  let sink = 0;
  for (let w = 0; w < 60; w++) {
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < calls; i++) if (fn(w * calls + i) === undefined) sink++;
    const after = process.memoryUsage().heapUsed;
    if (after > before) deltas.push((after - before) / calls);
  }
  if (sink < 0) console.log(sink);
  return deltas.length > 0 ? summarize(deltas).p50 : Number.NaN;
}
