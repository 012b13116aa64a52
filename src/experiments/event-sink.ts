import type { ExposureRecord, OutcomeRecord } from './domain/experiment-records';

/**
 * Somewhere else exposures and outcomes also go (Statsig), bound by a global module and injected as @Optional, so
 * experiments code never imports a vendor SDK. Implementations must not throw and must not wait.
 */
export abstract class EventSink {
  /** false while the sink discards everything: callers skip preparing events for it. */
  abstract get active(): boolean;

  /** Exposures just written to the store (targeting keys already hashed). */
  abstract exposures(batch: readonly ExposureRecord[]): void;

  /** Outcome events newly accepted, each with the SHA-256 of its targeting key (or of its requestId). */
  abstract outcomes(batch: readonly { record: OutcomeRecord; subjectHash: string }[]): void;
}
