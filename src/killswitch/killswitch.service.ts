import { Injectable, Logger } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import { DomainError, NotFoundError, StaleWriteError, StoreUnavailableError } from '../common/domain/domain-error';
import { PromptChangePublisher } from '../flags/prompt-change.publisher';
import { AuditLog, type KillState, type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { planIncidentKill, planKill } from './domain/kill-decision';
import { KillTargetRefusedError, NotKilledError } from './domain/killswitch.errors';

/** How often a kill or restore re-reads and retries after losing a race with another writer (a ramp, a promotion). */
const WRITE_ATTEMPTS = 5;

export interface KillView {
  slug: string;
  killed: boolean;
  kill: KillState | null;
  revision: number;
}

export interface KillResult extends KillView {
  /** false when the request changed nothing (a repeated kill to the same version). */
  changed: boolean;
}

export type IncidentOutcome = 'killed' | 'already-killed' | 'skipped' | 'restored' | 'failed';

export interface IncidentSlugResult {
  slug: string;
  outcome: IncidentOutcome;
  kill: KillState | null;
  message?: string;
  code?: string;
}

export interface IncidentResult {
  action: 'kill' | 'restore';
  results: IncidentSlugResult[];
}

/** An incident-wide action that did not apply to every slug: the answer is not a 200, the details say which. */
export class IncidentIncompleteError extends StoreUnavailableError {}

/**
 * The kill switch: serve one safe version of a slug to everyone, at once, without touching its rollout, and put the
 * rollout back exactly on restore. No gate applies. Every attempt lands in the audit trail, refused ones too; only
 * when the store itself is down can nothing be audited, and then it is logged.
 */
@Injectable()
export class KillSwitchService {
  private readonly logger = new Logger(KillSwitchService.name);

  constructor(
    private readonly store: PromptStore,
    private readonly auditLog: AuditLog,
    private readonly changes: PromptChangePublisher,
  ) {}

  async get(slug: string): Promise<KillView> {
    const state = await this.store.getState(slug);
    if (state.latestVersion === 0) throw noSuchPrompt(slug);
    return view(slug, state);
  }

  kill(slug: string, reason: string, actor: Principal, toVersion?: number): Promise<KillResult> {
    return this.logIfStoreDown('kill', slug, reason, actor, async () => {
      for (let attempt = 1; ; attempt++) {
        const state = await this.store.getState(slug);
        if (state.latestVersion === 0) {
          const error = noSuchPrompt(slug);
          await this.auditSystemRefusal('kill.refused', slug, reason, actor, error, toVersion);
          throw error;
        }
        const plan = planKill(slug, state, toVersion);
        if (plan.kind === 'refused') {
          const error = new KillTargetRefusedError(plan.message, { slug, toVersion: toVersion ?? null });
          await this.auditRefusal('kill.refused', slug, reason, actor, error, toVersion);
          throw error;
        }
        if (plan.kind === 'unchanged') return { ...view(slug, state), changed: false };
        try {
          const next = await this.setKill(slug, state, plan.toVersion, plan.source, reason, actor);
          return { ...view(slug, next), changed: true };
        } catch (error) {
          if (!(error instanceof StaleWriteError) || attempt >= WRITE_ATTEMPTS) throw error;
        }
      }
    });
  }

  restore(slug: string, reason: string, actor: Principal): Promise<KillResult> {
    return this.logIfStoreDown('restore', slug, reason, actor, async () => {
      for (let attempt = 1; ; attempt++) {
        const state = await this.store.getState(slug);
        if (state.latestVersion === 0) {
          const error = noSuchPrompt(slug);
          await this.auditSystemRefusal('restore.refused', slug, reason, actor, error);
          throw error;
        }
        if (!state.kill) {
          const error = new NotKilledError(slug);
          await this.auditRefusal('restore.refused', slug, reason, actor, error);
          throw error;
        }
        try {
          const next = await this.clearKill(slug, state, state.kill, reason, actor);
          return { ...view(slug, next), changed: true };
        } catch (error) {
          if (!(error instanceof StaleWriteError) || attempt >= WRITE_ATTEMPTS) throw error;
        }
      }
    });
  }

  /** Kills every slug that has a prod (or former prod) version; slugs already killed keep their kill. */
  killAll(reason: string, actor: Principal): Promise<IncidentResult> {
    return this.incident('kill', reason, actor, async (slug) => {
      for (let attempt = 1; ; attempt++) {
        const state = await this.store.getState(slug);
        const plan = planIncidentKill(slug, state);
        if (plan.kind === 'skipped') return { slug, outcome: 'skipped', kill: null, message: plan.message };
        if (plan.kind === 'unchanged') return { slug, outcome: 'already-killed', kill: plan.kill };
        if (plan.kind === 'refused') return { slug, outcome: 'skipped', kill: null, message: plan.message };
        try {
          const next = await this.setKill(slug, state, plan.toVersion, plan.source, reason, actor, 'incident-wide');
          return { slug, outcome: 'killed', kill: next.kill };
        } catch (error) {
          if (!(error instanceof StaleWriteError) || attempt >= WRITE_ATTEMPTS) throw error;
        }
      }
    });
  }

  /** Restores every killed slug; the others are left alone (and not listed). */
  restoreAll(reason: string, actor: Principal): Promise<IncidentResult> {
    return this.incident('restore', reason, actor, async (slug) => {
      for (let attempt = 1; ; attempt++) {
        const state = await this.store.getState(slug);
        if (!state.kill) return null;
        try {
          await this.clearKill(slug, state, state.kill, reason, actor, 'incident-wide');
          return { slug, outcome: 'restored', kill: null };
        } catch (error) {
          if (!(error instanceof StaleWriteError) || attempt >= WRITE_ATTEMPTS) throw error;
        }
      }
    });
  }

  private async setKill(
    slug: string,
    state: PromptState,
    toVersion: number,
    source: string,
    reason: string,
    actor: Principal,
    scope?: 'incident-wide',
  ): Promise<PromptState> {
    const at = new Date().toISOString();
    const next = await this.store.setKill(slug, state.revision, { toVersion, reason, at, actor: actor.name }, {
      at,
      actor: actor.name,
      action: 'kill.set',
      slug,
      version: toVersion,
      before: { revision: state.revision, kill: state.kill ? { toVersion: state.kill.toVersion, auditId: state.kill.auditId } : null },
      after: { revision: state.revision + 1, kill: { toVersion, source, ...(scope ? { scope } : {}) } },
      reason,
    });
    await this.changes.changed(slug, next.revision);
    this.logger.warn(`Kill switch ON for "${slug}": everyone gets version ${toVersion} (${source}); by ${actor.name}: ${reason}`);
    return next;
  }

  private async clearKill(slug: string, state: PromptState, kill: KillState, reason: string, actor: Principal, scope?: 'incident-wide'): Promise<PromptState> {
    const at = new Date().toISOString();
    const next = await this.store.clearKill(slug, state.revision, {
      at,
      actor: actor.name,
      action: 'kill.cleared',
      slug,
      version: kill.toVersion,
      before: { revision: state.revision, kill: { toVersion: kill.toVersion, auditId: kill.auditId } },
      after: { revision: state.revision + 1, kill: null, ...(scope ? { scope } : {}) },
      reason,
    });
    await this.changes.changed(slug, next.revision);
    this.logger.warn(`Kill switch OFF for "${slug}": the stored rollout serves again; by ${actor.name}: ${reason}`);
    return next;
  }

  private async incident(
    action: 'kill' | 'restore',
    reason: string,
    actor: Principal,
    each: (slug: string) => Promise<IncidentSlugResult | null>,
  ): Promise<IncidentResult> {
    return this.logIfStoreDown(`${action} (incident-wide)`, '*', reason, actor, async () => {
      const prompts = await this.store.listPrompts();
      const results: IncidentSlugResult[] = [];
      for (const { slug } of prompts) {
        try {
          const result = await each(slug);
          if (result) results.push(result);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          results.push({ slug, outcome: 'failed', kill: null, code: error.code, message: error.message });
        }
      }
      const summary = {
        at: new Date().toISOString(),
        actor: actor.name,
        action: `${action}.incident`,
        after: { results: results.map(({ slug, outcome }) => ({ slug, outcome })) },
        reason,
      };
      const failed = results.filter((r) => r.outcome === 'failed');
      try {
        await this.auditLog.appendSystem(summary);
      } catch (error) {
        this.logger.error(`Could not audit the incident-wide ${action} on the system chain: ${(error as Error).message}; ${JSON.stringify(summary)}`);
        if (failed.length === 0) throw error;
      }
      if (failed.length > 0) {
        throw new IncidentIncompleteError(
          `Incident-wide ${action} did not apply to ${failed.length} of ${results.length} slug(s): ${failed.map((r) => r.slug).join(', ')}. Retry; the others are done.`,
          { action, results },
        );
      }
      return { action, results };
    });
  }

  /** Appends a refused attempt to the slug's chain. */
  private async auditRefusal(action: string, slug: string, reason: string, actor: Principal, error: DomainError, toVersion?: number): Promise<void> {
    await this.store.appendAudit(slug, refusalDraft(action, slug, reason, actor, error, toVersion));
  }

  /** A refused attempt on a slug with no chain (no such prompt) goes to the system chain. */
  private async auditSystemRefusal(action: string, slug: string, reason: string, actor: Principal, error: DomainError, toVersion?: number): Promise<void> {
    await this.auditLog.appendSystem(refusalDraft(action, slug, reason, actor, error, toVersion));
  }

  /** With the store down nothing can be audited: say so in the log, then fail (503). */
  private async logIfStoreDown<T>(what: string, slug: string, reason: string, actor: Principal, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof StoreUnavailableError && !(error instanceof IncidentIncompleteError)) {
        this.logger.error(
          `${what} of "${slug}" by ${actor.name} (${reason}) was NOT applied and could NOT be audited: the store is unavailable: ${error.message}`,
        );
      }
      throw error;
    }
  }
}

function view(slug: string, state: PromptState): KillView {
  return { slug, killed: state.kill !== null, kill: state.kill, revision: state.revision };
}

function noSuchPrompt(slug: string): NotFoundError {
  return new NotFoundError(`No prompt "${slug}"`, { slug });
}

function refusalDraft(action: string, slug: string, reason: string, actor: Principal, error: DomainError, toVersion?: number) {
  return {
    at: new Date().toISOString(),
    actor: actor.name,
    action,
    slug,
    ...(toVersion !== undefined ? { version: toVersion } : {}),
    after: { refused: error.code, message: error.message, ...(toVersion !== undefined ? { toVersion } : {}) },
    reason,
  };
}
