import { Injectable, Logger, type OnModuleDestroy, type OnModuleInit, Optional } from '@nestjs/common';
import { ExperimentStore, type ExposureRecord } from '../store/ports/experiment-store.port';
import { hourOf } from './domain/experiment-records';
import { EventSink } from './event-sink';
import { sha256Hex } from '../common/domain/canonical-hash';

/** What a resolve surface knows about an evaluation it answered. */
export interface ResolvedExposure {
  slug: string;
  version: number;
  variant: string;
  revision: number;
}

export interface ExposureRecorderCounts {
  recorded: number;
  flushed: number;
  /** Dropped because the buffer was full or the store refused a flush. */
  dropped: number;
  buffered: number;
}

type PendingExposure = Omit<ExposureRecord, 'targetingKeyHash'> & { targetingKey: string };

/** Fields copied one by one (same key order as a rest/spread copy): a rest + spread costs ~1 µs per exposure. */
function hashTargetingKey(e: PendingExposure): ExposureRecord {
  return { slug: e.slug, version: e.version, variant: e.variant, revision: e.revision, hour: e.hour, targetingKeyHash: sha256Hex(e.targetingKey) };
}

export const FLUSH_INTERVAL_MS = 250;
export const FLUSH_BATCH = 500;
/** The buffer never grows past this; beyond it exposures are dropped and counted. */
export const MAX_BUFFERED = 20_000;

/**
 * Records exposures off the request path: `record` appends to a bounded in-memory buffer; a timer hashes the
 * targeting keys (SHA-256) and flushes it to the store every 250 ms, or at once when 500 are waiting. When the store
 * is down a failed batch is dropped (and counted) rather than retried, so memory stays bounded: exposures are
 * telemetry, and a gap shows up in the results as fewer exposures, never as a slower resolve.
 */
@Injectable()
export class ExposureRecorder implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ExposureRecorder.name);
  /** Raw targeting keys wait here; they are hashed at flush time, off the request path. */
  private buffer: PendingExposure[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private flushScheduled = false;
  private lastWarnAt = 0;
  private readonly stats = { recorded: 0, flushed: 0, dropped: 0 };

  constructor(
    private readonly store: ExperimentStore,
    @Optional() private readonly sink?: EventSink,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flushAll();
  }

  /** Never throws, never waits. */
  record(exposure: ResolvedExposure, targetingKey: string, now = Date.now()): void {
    this.stats.recorded += 1;
    if (this.buffer.length >= MAX_BUFFERED) {
      this.stats.dropped += 1;
      return;
    }
    this.buffer.push({
      slug: exposure.slug,
      version: exposure.version,
      variant: exposure.variant,
      revision: exposure.revision,
      targetingKey,
      hour: hourOf(now),
    });
    if (this.buffer.length >= FLUSH_BATCH) this.scheduleFlush();
  }

  get counts(): ExposureRecorderCounts {
    return { ...this.stats, buffered: this.buffer.length };
  }

  /** Writes one batch (or waits for the one in flight). */
  flush(): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.buffer.length === 0) return Promise.resolve();
    const batch = this.buffer.splice(0, FLUSH_BATCH * 4).map(hashTargetingKey);
    this.inFlight = this.store
      .recordExposures(batch)
      .then(
        () => {
          this.stats.flushed += batch.length;
          this.sink?.exposures(batch);
        },
        (error: unknown) => {
          this.stats.dropped += batch.length;
          this.warn(`Dropped ${batch.length} exposures: the store refused them (${(error as Error).message})`);
        },
      )
      .finally(() => {
        this.inFlight = undefined;
        if (this.buffer.length >= FLUSH_BATCH) this.scheduleFlush();
      });
    return this.inFlight;
  }

  /** Flushes until the buffer is empty (tests, shutdown). */
  async flushAll(): Promise<void> {
    await this.inFlight;
    while (this.buffer.length > 0) await this.flush();
  }

  private scheduleFlush(): void {
    if (this.flushScheduled) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private warn(message: string): void {
    if (Date.now() - this.lastWarnAt < 60_000) return;
    this.lastWarnAt = Date.now();
    this.logger.warn(message);
  }
}
