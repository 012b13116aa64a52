import { Injectable, Optional } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { Counter, Gauge, Registry } from 'prom-client';
import { ExposureRecorder } from '../experiments/exposure-recorder.service';
import { ServingState } from '../flags/serving-state.service';
import { FastHistogram } from './fast-histogram';
import { EventsObserver, ResolveObserver } from './observers';

/** Resolves answer from memory: buckets from 25 µs to 100 ms. */
const RESOLVE_BUCKETS = [0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.1];

/**
 * The service's Prometheus metrics, in a registry of its own (not prom-client's global one), so several apps in one
 * process (tests, replicas) never share or collide. Resolve counting keeps one plain cell per (slug, version, reason)
 * (cached, so a resolve costs one Map lookup and an addition) and hands the increments to the prom-client label
 * children at scrape time: prom-client's own `inc` hashes the labels on every call, about 0.5 µs. The duration goes to
 * a {@link FastHistogram} for the same reason.
 */
@Injectable()
export class MetricsService implements ResolveObserver, EventsObserver {
  readonly registry = new Registry();
  /** slug → version → reason → cell: nested so that counting a resolve allocates nothing. */
  private readonly resolveCells = new Map<string, Map<number, Map<string, ResolveCell>>>();
  private readonly allCells: ResolveCell[] = [];
  private readonly resolveDuration: FastHistogram;
  private readonly events: Counter<'status'>;
  private readonly rampSteps: Gauge<'slug'>;
  private serving?: ServingState;

  constructor(
    private readonly moduleRef: ModuleRef,
    @Optional() private readonly exposures?: ExposureRecorder,
  ) {
    const registers = [this.registry];
    const cells = this.allCells;
    new Counter({
      name: 'promptflag_resolves_total',
      help: 'Prompt resolves answered, by slug, version and reason.',
      labelNames: ['slug', 'version', 'reason'],
      registers,
      collect() {
        for (const cell of cells) {
          if (cell.pending === 0) continue;
          this.labels(cell.slug, cell.version, cell.reason).inc(cell.pending);
          cell.pending = 0;
        }
      },
    });
    this.resolveDuration = new FastHistogram('promptflag_resolve_duration_seconds', 'Time to evaluate (and render) one prompt resolve, in process; measured on a 1-in-16 sample of resolves.', RESOLVE_BUCKETS, this.registry);
    this.events = new Counter({ name: 'promptflag_events_total', help: 'Outcome events ingested, by status (accepted, duplicate, refused).', labelNames: ['status'], registers });
    for (const status of ['accepted', 'duplicate', 'refused']) this.events.labels(status).inc(0);
    let droppedSeen = 0;
    const recorder = () => this.exposures;
    new Counter({
      name: 'promptflag_exposures_dropped_total',
      help: 'Exposures dropped by this replica (buffer full, or the store refused a flush).',
      registers,
      collect() {
        const dropped = recorder()?.counts.dropped ?? 0;
        if (dropped > droppedSeen) this.inc(dropped - droppedSeen);
        droppedSeen = dropped;
      },
    });
    const servingState = () => this.servingState();
    new Gauge({
      name: 'promptflag_kill_switch_active',
      help: '1 while the slug is killed (its served flag carries metadata.killedTo), else 0.',
      labelNames: ['slug'],
      registers,
      collect() {
        this.reset();
        const flags = servingState()?.exportDocument().flags ?? {};
        for (const [slug, flag] of Object.entries(flags)) {
          const killedTo = (flag as { metadata?: Record<string, unknown> }).metadata?.killedTo;
          this.labels(slug).set(killedTo === undefined || killedTo === null ? 0 : 1);
        }
      },
    });
    this.rampSteps = new Gauge({ name: 'promptflag_ramp_step', help: "Current ramp step per slug: the candidate's percent of traffic.", labelNames: ['slug'], registers });
  }

  resolved(slug: string, version: number, reason: string, seconds: number | undefined): void {
    let versions = this.resolveCells.get(slug);
    if (!versions) this.resolveCells.set(slug, (versions = new Map()));
    let reasons = versions.get(version);
    if (!reasons) versions.set(version, (reasons = new Map()));
    let cell = reasons.get(reason);
    if (!cell) {
      cell = { slug, version: String(version), reason, pending: 0 };
      reasons.set(reason, cell);
      this.allCells.push(cell);
    }
    cell.pending += 1;
    if (seconds !== undefined) this.resolveDuration.observe(seconds);
  }

  eventsIngested(counts: { accepted: number; duplicate: number; refused: number }): void {
    if (counts.accepted > 0) this.events.labels('accepted').inc(counts.accepted);
    if (counts.duplicate > 0) this.events.labels('duplicate').inc(counts.duplicate);
    if (counts.refused > 0) this.events.labels('refused').inc(counts.refused);
  }

  /** For the ramp code: the slug's current step (percent of traffic on the candidate); null removes the series. */
  setRampStep(slug: string, percent: number | null): void {
    if (percent === null) this.rampSteps.remove(slug);
    else this.rampSteps.labels(slug).set(percent);
  }

  /** The exposition text and its content type. */
  async scrape(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }

  private servingState(): ServingState | undefined {
    if (!this.serving) {
      try {
        this.serving = this.moduleRef.get(ServingState, { strict: false });
      } catch {
        return undefined;
      }
    }
    return this.serving;
  }
}

interface ResolveCell {
  slug: string;
  version: string;
  reason: string;
  /** Resolves since the last scrape. */
  pending: number;
}
