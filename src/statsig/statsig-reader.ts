import type { DynamicConfig, StatsigUser } from 'statsig-node';

/**
 * The part of statsig-node promptflag reads: satisfied by the module singleton (`import statsig from 'statsig-node'`)
 * and by a `StatsigServer` instance alike.
 */
export interface StatsigReader {
  getExperiment(user: StatsigUser, experimentName: string): DynamicConfig;
  checkGate(user: StatsigUser, gateName: string): boolean;
}

/** The part of statsig-node promptflag writes to. */
export interface StatsigWriter {
  logEvent(user: StatsigUser, eventName: string, value?: string | number | null, metadata?: Record<string, unknown> | null): void;
}
