/**
 * Hooks the hot paths call without knowing about Prometheus: abstract classes as DI tokens, bound by MetricsModule
 * (global) and injected as @Optional, so code and tests without metrics work unchanged.
 */
export abstract class ResolveObserver {
  /**
   * One successful resolve; must be cheap and never throw. `seconds` is given for the sampled resolves whose duration
   * was measured (see PromptResolver), undefined for the others.
   */
  abstract resolved(slug: string, version: number, reason: string, seconds: number | undefined): void;
}

export abstract class EventsObserver {
  /** One ingested outcome-event batch, by status. */
  abstract eventsIngested(counts: { accepted: number; duplicate: number; refused: number }): void;
}
