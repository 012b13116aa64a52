import type { StoreSet } from '../store-set';
import { EmbeddedAlertStore } from './embedded-alert.store';
import { EmbeddedApiKeyStore } from './embedded-api-key.store';
import { EmbeddedAuditLog } from './embedded-audit.log';
import { EmbeddedChains } from './embedded-chains';
import { EmbeddedChangeFeed } from './embedded-change.feed';
import type { EmbeddedDatabase } from './embedded-database';
import { EmbeddedExperimentStore } from './embedded-experiment.store';
import { EmbeddedGateStore } from './embedded-gate.store';
import { EmbeddedPromptStore } from './embedded-prompt.store';
import { EmbeddedRampStore } from './embedded-ramp.store';
import { EmbeddedStoreHealth } from './embedded-store.health';

export interface EmbeddedStoreSet extends StoreSet {
  changeFeed: EmbeddedChangeFeed;
}

/** Every store port over one embedded database, which stays owned by the caller. */
export function createEmbeddedStores(db: EmbeddedDatabase): EmbeddedStoreSet {
  const chains = new EmbeddedChains(db);
  return {
    promptStore: new EmbeddedPromptStore(db, chains),
    auditLog: new EmbeddedAuditLog(db, chains),
    apiKeyStore: new EmbeddedApiKeyStore(db, chains),
    changeFeed: new EmbeddedChangeFeed(),
    health: new EmbeddedStoreHealth(db),
    experimentStore: new EmbeddedExperimentStore(db),
    alertStore: new EmbeddedAlertStore(db),
    rampStore: new EmbeddedRampStore(db),
    gateStore: new EmbeddedGateStore(db),
  };
}
