import { type DynamicModule, Module, type OnApplicationShutdown, type Provider } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { OpenedStores, openStores } from './opened-stores';
import { AlertStore } from './ports/alert-store.port';
import { ApiKeyStore } from './ports/api-key-store.port';
import { ChangeFeed, StoreHealth } from './ports/change-feed.port';
import { ExperimentStore } from './ports/experiment-store.port';
import { GateStore } from './ports/gate-store.port';
import { AuditLog, PromptStore } from './ports/prompt-store.port';
import { RampStore } from './ports/ramp-store.port';
import type { StoreSet } from './store-set';

export { createEmbeddedStores } from './embedded/create-embedded-stores';
export { EmbeddedDatabase } from './embedded/embedded-database';
export { createRedisStores } from './redis/create-redis-stores';
export { createRedisClient, createRedisSubscriber } from './redis/redis-client';
export type { StoreSet } from './store-set';

const PORTS: Record<keyof StoreSet, abstract new (...args: never[]) => unknown> = {
  promptStore: PromptStore,
  auditLog: AuditLog,
  apiKeyStore: ApiKeyStore,
  changeFeed: ChangeFeed,
  health: StoreHealth,
  experimentStore: ExperimentStore,
  alertStore: AlertStore,
  rampStore: RampStore,
  gateStore: GateStore,
};

/**
 * Binds every store port, globally: to Redis when REDIS_URL is set, otherwise to the embedded SQLite database in
 * DATA_DIR. Needs AppConfig from a global module. Closes its connections when the application shuts down, after
 * every other module's onModuleDestroy, so those may still use the stores.
 */
@Module({})
export class StoreModule implements OnApplicationShutdown {
  constructor(private readonly opened: OpenedStores) {}

  static forRoot(): DynamicModule {
    const ports: Provider[] = Object.entries(PORTS).map(([name, port]) => ({
      provide: port,
      inject: [OpenedStores],
      useFactory: (opened: OpenedStores) => opened.stores[name as keyof StoreSet],
    }));
    return {
      module: StoreModule,
      global: true,
      providers: [{ provide: OpenedStores, inject: [AppConfig], useFactory: (config: AppConfig) => openStores(config) }, ...ports],
      exports: Object.values(PORTS),
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.opened.close();
  }
}
