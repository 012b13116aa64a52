import { Logger } from '@nestjs/common';

/**
 * One evaluation of a prompt flag, as sent to `POST /v1/exposures` (body `{exposures: Exposure[]}`). The targeting
 * key is never sent, only its SHA-256 (hex).
 */
export interface Exposure {
  slug: string;
  version: number;
  variant: string;
  revision: number;
  targetingKeyHash: string;
  /** ISO-8601 time of the evaluation. */
  at: string;
}

export interface ExposureSenderOptions {
  /** Full URL of the exposures endpoint. */
  url: string;
  apiKey?: string;
  batchSize: number;
  flushIntervalMs: number;
  maxQueued: number;
  /** Per request. @default 5000 */
  timeoutMs?: number;
}

export interface ExposureStats {
  /** Exposures the service accepted. */
  sent: number;
  /** Exposures given up on: refused (404 while the endpoint does not exist, other 4xx) or pushed out of a full queue. */
  dropped: number;
  /** Waiting to be sent. */
  queued: number;
}

/** Failures other than a missing endpoint are logged at most this often. */
const WARN_INTERVAL_MS = 60_000;
/** Shutdown spends at most this long sending what is left. */
const CLOSE_BUDGET_MS = 3000;

/**
 * Buffers exposures and POSTs them in batches of at most `batchSize`, one request at a time, never on the caller's
 * path: `record` only appends (dropping the oldest beyond `maxQueued`). A full batch goes out on the next tick, a
 * partial one every `flushIntervalMs`. A 404 (the endpoint is not deployed yet) drops the batch with a single
 * warning; network errors, 429 and 5xx put it back for the next attempt.
 */
export class ExposureSender {
  private readonly logger = new Logger('PromptflagExposures');
  private queue: Exposure[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight?: Promise<void>;
  private flushScheduled = false;
  private closed = false;
  private warnedNotFound = false;
  private lastWarnAt = 0;
  private readonly stats = { sent: 0, dropped: 0 };

  constructor(private readonly options: ExposureSenderOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush(), this.options.flushIntervalMs);
    this.timer.unref();
  }

  record(exposure: Exposure): void {
    if (this.closed) return;
    if (this.queue.length >= this.options.maxQueued) {
      this.queue.shift();
      this.stats.dropped += 1;
    }
    this.queue.push(exposure);
    if (this.queue.length >= this.options.batchSize) this.scheduleFlush();
  }

  get counts(): ExposureStats {
    return { ...this.stats, queued: this.queue.length };
  }

  /** Sends one batch (or waits for the one in flight). */
  flush(timeoutMs = this.options.timeoutMs ?? 5000): Promise<void> {
    if (this.inFlight) return this.inFlight;
    if (this.queue.length === 0) return Promise.resolve();
    const batch = this.queue.splice(0, this.options.batchSize);
    this.inFlight = this.send(batch, timeoutMs).finally(() => {
      this.inFlight = undefined;
      if (this.queue.length >= this.options.batchSize) this.scheduleFlush();
    });
    return this.inFlight;
  }

  /** Stops the timer and sends what is queued, within a few seconds at most. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.timer) clearInterval(this.timer);
    const deadline = Date.now() + CLOSE_BUDGET_MS;
    await this.inFlight;
    while (this.queue.length > 0 && Date.now() < deadline) {
      const sentBefore = this.stats.sent;
      await this.flush(Math.max(1, deadline - Date.now()));
      if (this.stats.sent === sentBefore) break; // refused or failed: the service is not taking them now
    }
    this.stats.dropped += this.queue.length;
    this.queue = [];
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || this.closed) return;
    this.flushScheduled = true;
    setImmediate(() => {
      this.flushScheduled = false;
      void this.flush();
    });
  }

  private async send(batch: Exposure[], timeoutMs: number): Promise<void> {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (this.options.apiKey) headers.authorization = `Bearer ${this.options.apiKey}`;
    let status: number;
    try {
      const response = await fetch(this.options.url, {
        method: 'POST',
        headers,
        body: JSON.stringify({ exposures: batch }),
        signal: AbortSignal.timeout(timeoutMs),
      });
      status = response.status;
      await response.body?.cancel();
    } catch (error) {
      this.requeue(batch);
      this.warn(`Could not send ${batch.length} exposures to ${this.options.url} (${(error as Error).message}); will retry`);
      return;
    }
    if (status >= 200 && status < 300) {
      this.stats.sent += batch.length;
    } else if (status === 404) {
      this.stats.dropped += batch.length;
      if (!this.warnedNotFound) {
        this.warnedNotFound = true;
        this.logger.warn(`${this.options.url} answered 404: this promptflag has no exposure endpoint yet; exposures are dropped (warned once)`);
      }
    } else if (status === 429 || status >= 500) {
      this.requeue(batch);
      this.warn(`${this.options.url} answered ${status} for ${batch.length} exposures; will retry`);
    } else {
      this.stats.dropped += batch.length;
      this.warn(`${this.options.url} refused ${batch.length} exposures with ${status}; dropped`);
    }
  }

  /** Puts a failed batch back in front, as far as the queue bound allows (newer exposures win). */
  private requeue(batch: Exposure[]): void {
    if (this.closed) {
      this.stats.dropped += batch.length;
      return;
    }
    const room = Math.max(0, this.options.maxQueued - this.queue.length);
    const kept = batch.slice(batch.length - Math.min(room, batch.length));
    this.stats.dropped += batch.length - kept.length;
    this.queue = [...kept, ...this.queue];
  }

  private warn(message: string): void {
    const now = Date.now();
    if (now - this.lastWarnAt < WARN_INTERVAL_MS) return;
    this.lastWarnAt = now;
    this.logger.warn(message);
  }
}
