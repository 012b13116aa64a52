import type { AlertStore } from './ports/alert-store.port';
import type { ApiKeyStore } from './ports/api-key-store.port';
import type { ChangeFeed, StoreHealth } from './ports/change-feed.port';
import type { ExperimentStore } from './ports/experiment-store.port';
import type { GateStore } from './ports/gate-store.port';
import type { AuditLog, PromptStore } from './ports/prompt-store.port';
import type { RampStore } from './ports/ramp-store.port';

/** One adapter for every store port, all over the same backing store. */
export interface StoreSet {
  promptStore: PromptStore;
  auditLog: AuditLog;
  apiKeyStore: ApiKeyStore;
  changeFeed: ChangeFeed;
  health: StoreHealth;
  experimentStore: ExperimentStore;
  alertStore: AlertStore;
  rampStore: RampStore;
  gateStore: GateStore;
}
