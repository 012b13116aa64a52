import type { AuditDraft } from '../../src/audit/domain/audit-entry';
import { contentHash } from '../../src/registry/domain/content-hash';
import type { RolloutSpec } from '../../src/rollout/domain/rollout';
import type { PromptStore, StatusChange } from '../../src/store/ports/prompt-store.port';
import { BENCH_VARIABLES, benchTemplate } from './fixtures';

/** Bulk seeding for the memory figure: light imports only (the replica child loads this file too). */

export function bulkSlug(i: number): string {
  return `prompt-${String(i).padStart(5, '0')}`;
}

/**
 * The lifecycle every bulk slug goes through, as one atomic status change: v1 was prod and is now deprecated, v2
 * stays a draft, v3 is prod, v4 and v5 are staging.
 */
const BULK_CHANGES: readonly StatusChange[] = [
  { version: 1, from: 'draft', to: 'staging' },
  { version: 1, from: 'staging', to: 'prod' },
  { version: 1, from: 'prod', to: 'deprecated' },
  { version: 3, from: 'draft', to: 'staging' },
  { version: 3, from: 'staging', to: 'prod' },
  { version: 4, from: 'draft', to: 'staging' },
  { version: 5, from: 'draft', to: 'staging' },
];

/** Three versions serve traffic on every bulk slug: even slugs a three-way split, odd ones a split and a rule. */
export function bulkRollout(i: number): RolloutSpec {
  return i % 2 === 0
    ? { allocation: [{ version: 5, weight: 5 }, { version: 4, weight: 15 }, { version: 3, weight: 80 }], rules: [] }
    : { allocation: [{ version: 4, weight: 10 }, { version: 3, weight: 90 }], rules: [{ match: { tenant: ['acme'] }, version: 5 }] };
}

export const BULK_VERSIONS_PER_SLUG = 5;
/** Versions of each bulk slug its flag serves (so the replica loads and compiles them). */
export const BULK_SERVED_VERSIONS_PER_SLUG = 3;

export interface BulkSeedOptions {
  slugs: number;
  /** Slugs per batch. */
  batchSize: number;
  /**
   * Runs one batch. Embedded: one SQLite transaction around it (the store's own per-call transactions become
   * savepoints), so a batch costs one fsync. Redis: the slugs of a batch run concurrently.
   */
  runBatch: (work: () => Promise<void>) => Promise<void>;
  concurrent: boolean;
  onProgress?: (done: number) => void;
}

/**
 * Writes `slugs` × 5 versions, their statuses and rollouts straight through the PromptStore port (no lint, no
 * change notifications: nothing is serving yet). Same records the services would write, audit chain included.
 */
export async function seedBulk(store: PromptStore, options: BulkSeedOptions): Promise<void> {
  const at = new Date().toISOString();
  const variables = BENCH_VARIABLES.map((v) => ({ ...v, required: v.required === true }));
  const seedSlug = async (i: number) => {
    const slug = bulkSlug(i);
    for (let v = 1; v <= BULK_VERSIONS_PER_SLUG; v++) {
      const template = benchTemplate(`${slug}/v${v}`);
      const modelHint = 'gpt-4o-2024-08-06';
      await store.createVersion(
        { slug, template, variables, modelHint, rationale: 'bulk bench seed', contentHash: contentHash({ template, variables, modelHint }), author: 'bench', createdAt: at },
        (created): AuditDraft => ({
          at,
          actor: 'bench',
          action: 'version.created',
          slug,
          version: created.version,
          after: { version: created.version, contentHash: created.contentHash, status: created.status, modelHint },
          reason: created.rationale,
        }),
      );
    }
    const statusAudit = BULK_CHANGES.map(
      (c): AuditDraft => ({ at, actor: 'bench', action: 'version.status_changed', slug, version: c.version, before: { status: c.from }, after: { status: c.to }, reason: 'bulk bench seed' }),
    );
    const afterStatuses = await store.changeStatuses(slug, 0, [...BULK_CHANGES], statusAudit);
    const spec = bulkRollout(i);
    await store.putRollout(slug, afterStatuses.revision, { ...spec, updatedAt: at, updatedBy: 'bench' }, {
      at,
      actor: 'bench',
      action: 'rollout.replaced',
      slug,
      before: { revision: afterStatuses.revision, allocation: [], rules: [] },
      after: { revision: afterStatuses.revision + 1, ...spec },
      reason: 'bulk bench seed',
    });
  };
  for (let start = 0; start < options.slugs; start += options.batchSize) {
    const end = Math.min(options.slugs, start + options.batchSize);
    await options.runBatch(async () => {
      if (options.concurrent) {
        const all: Promise<void>[] = [];
        for (let i = start; i < end; i++) all.push(seedSlug(i));
        await Promise.all(all);
      } else {
        for (let i = start; i < end; i++) await seedSlug(i);
      }
    });
    options.onProgress?.(end);
  }
}

