import { StoreHealth } from '../ports/change-feed.port';
import type { EmbeddedDatabase } from './embedded-database';
import { guardSqlite } from './sqlite-errors';

/** Liveness of the embedded database: `select 1`. */
export class EmbeddedStoreHealth extends StoreHealth {
  readonly kind = 'embedded' as const;

  constructor(private readonly db: EmbeddedDatabase) {
    super();
  }

  async ping(): Promise<void> {
    await guardSqlite(() => this.db.statement('SELECT 1').get());
  }
}
