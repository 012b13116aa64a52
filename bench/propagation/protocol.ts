import type { BenchMessage } from '../lib/child';

export const PROPAGATION_SLUG = 'support-triage';
export const PROPAGATION_TARGETING_KEY = 'user-propagation';

/** A client worker's answer to `expect`: when its clients received the change and served the expected variant. */
export interface ClientsReached extends BenchMessage {
  id: number;
  /** First and last of this worker's clients to evaluate the expected variant (wall-clock ms). */
  firstAt: number;
  lastAt: number;
  /** First and last sync message carrying the change to arrive (handed to flagd-core), when observable. */
  receivedFirstAt: number | null;
  receivedLastAt: number | null;
  /** Time spent in flagd-core's setConfigurations (parse, validate, rebuild) over all of this worker's clients. */
  parseMs: number | null;
  /** CPU time (user + system) this worker used from arming to its last client serving the variant. */
  cpuMs: number;
}
