import type { Redis } from 'ioredis';
import type { AuditDraft, AuditEntry } from '../../audit/domain/audit-entry';
import type { PromptStatus, PromptSummary, PromptVersion } from '../../registry/domain/prompt-version';
import type { RolloutSpec, StoredRollout } from '../../rollout/domain/rollout';
import {
  type CreateVersionResult,
  type KillState,
  type NewPromptVersion,
  type Page,
  PromptStore,
  type PromptState,
  type StatusChange,
} from '../ports/prompt-store.port';
import { applyStatusChanges, assertRevision } from '../prompt-state';
import { compareCodeUnits } from '../record-order';
import { draftVersion, sealEntries, type VersionBody } from '../version-draft';
import { CONFLICT, retryOnConflict } from './redis-cas';
import { execPipeline, parseSlugHead, type SlugHead } from './redis-chains';
import { guardRedis } from './redis-errors';
import type { RedisKeys } from './redis-keys';
import type { RedisScripts } from './redis-scripts';
import { prodVersionOf } from '../../registry/domain/status-transitions';

interface Snapshot {
  head: SlugHead;
  state: PromptState;
}

/**
 * PromptStore over Redis. Writes are optimistic: read the slug's head, seal the audit entry in Node (sha256 is not
 * available in Lua), then one Lua script commits only if the head has not moved, retrying on a lost race.
 */
export class RedisPromptStore extends PromptStore {
  constructor(
    private readonly client: Redis,
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
  ) {
    super();
  }

  createVersion(input: NewPromptVersion, audit: (created: PromptVersion) => AuditDraft, idempotencyKey?: string): Promise<CreateVersionResult> {
    const slug = input.slug;
    return guardRedis(async () => {
      await this.client.sadd(this.keys.prompts(), slug);
      return retryOnConflict(`create a version of "${slug}"`, async () => {
        const head = parseSlugHead(await this.client.hgetall(this.keys.chain(slug).head));
        const draft = draftVersion(input, head.latestVersion, head.chain, audit);
        const n = draft.version.version;
        const [status, detail] = await this.scripts.run(
          'pfCreateVersion',
          this.keys.chain(slug),
          { seq: head.chain.seq },
          [draft.entry],
          [this.keys.status(slug), this.keys.version(slug, n), this.keys.idempotency(slug, idempotencyKey ?? '')],
          [n, JSON.stringify(draft.body), idempotencyKey === undefined ? '0' : '1'],
        );
        if (status === 'conflict') return CONFLICT;
        if (status === 'ok') return { version: draft.version, created: true };
        const first = await this.getVersion(slug, Number(detail));
        if (!first) throw new Error(`idempotency key "${idempotencyKey}" of "${slug}" points at missing version ${detail}`);
        return { version: first, created: false };
      });
    });
  }

  getVersion(slug: string, version: number): Promise<PromptVersion | null> {
    return guardRedis(async () => {
      const [body, status] = await execPipeline(
        this.client.pipeline().get(this.keys.version(slug, version)).hget(this.keys.status(slug), String(version)),
      );
      return body ? withStatus(body as string, status as PromptStatus) : null;
    });
  }

  listVersions(slug: string, page: Page): Promise<{ items: PromptVersion[]; total: number }> {
    return guardRedis(async () => {
      const { head } = await this.snapshot(slug);
      const total = head.latestVersion;
      const newest = total - Math.max(0, page.offset);
      const numbers: number[] = [];
      for (let n = newest; n >= 1 && numbers.length < page.limit; n--) numbers.push(n);
      if (numbers.length === 0) return { items: [], total };
      const [bodies, statuses] = await execPipeline(
        this.client
          .pipeline()
          .mget(...numbers.map((n) => this.keys.version(slug, n)))
          .hmget(this.keys.status(slug), ...numbers.map(String)),
      );
      const items = (bodies as (string | null)[]).map((body, i) => {
        if (!body) throw new Error(`version ${numbers[i]} of "${slug}" is below the head but missing`);
        return withStatus(body, (statuses as PromptStatus[])[i]);
      });
      return { items, total };
    });
  }

  listPrompts(): Promise<PromptSummary[]> {
    return guardRedis(async () => {
      const slugs = (await this.client.smembers(this.keys.prompts())).sort(compareCodeUnits);
      const reads = this.client.pipeline();
      for (const slug of slugs) reads.hget(this.keys.chain(slug).head, 'latest').hgetall(this.keys.status(slug));
      const replies = await execPipeline(reads);
      return slugs
        .map((slug, i) => ({
          slug,
          latestVersion: Number(replies[2 * i] ?? 0),
          prodVersion: prodVersionOf(parseStatuses(replies[2 * i + 1] as Record<string, string>)),
        }))
        .filter((summary) => summary.latestVersion > 0);
    });
  }

  getState(slug: string): Promise<PromptState> {
    return guardRedis(async () => (await this.snapshot(slug)).state);
  }

  changeStatuses(slug: string, expectedRevision: number, changes: StatusChange[], audit: AuditDraft[]): Promise<PromptState> {
    return this.revisionWrite(slug, expectedRevision, 'change statuses', (snap) => {
      const statuses = applyStatusChanges(slug, snap.state.statuses, changes);
      return {
        script: 'pfChangeStatuses',
        audit,
        extraKeys: [this.keys.status(slug)],
        extraArgs: [changes.length, ...changes.flatMap((c) => [c.version, c.from, c.to])],
        next: { ...snap.state, statuses },
      };
    });
  }

  putRollout(
    slug: string,
    expectedRevision: number,
    rollout: RolloutSpec & { updatedAt: string; updatedBy: string },
    audit: AuditDraft,
  ): Promise<PromptState> {
    const stored: StoredRollout = { ...rollout, slug };
    return this.revisionWrite(slug, expectedRevision, 'put the rollout', (snap) => ({
      script: 'pfPutRollout',
      audit: [audit],
      extraKeys: [this.keys.rollout(slug)],
      extraArgs: [JSON.stringify(stored)],
      next: { ...snap.state, rollout: stored },
    }));
  }

  setKill(slug: string, expectedRevision: number, kill: Omit<KillState, 'auditId'>, audit: AuditDraft): Promise<PromptState> {
    return this.revisionWrite(slug, expectedRevision, 'set the kill switch', (snap) => {
      const stored: KillState = { ...kill, auditId: sealEntries(slug, [audit], snap.head.chain)[0].id };
      return {
        script: 'pfSetKill',
        audit: [audit],
        extraKeys: [this.keys.kill(slug)],
        extraArgs: [JSON.stringify(stored)],
        next: { ...snap.state, kill: stored },
      };
    });
  }

  clearKill(slug: string, expectedRevision: number, audit: AuditDraft): Promise<PromptState> {
    return this.revisionWrite(slug, expectedRevision, 'clear the kill switch', (snap) => ({
      script: 'pfSetKill',
      audit: [audit],
      extraKeys: [this.keys.kill(slug)],
      extraArgs: [''],
      next: { ...snap.state, kill: null },
    }));
  }

  appendAudit(slug: string, audit: AuditDraft): Promise<AuditEntry> {
    return guardRedis(async () => {
      await this.client.sadd(this.keys.prompts(), slug);
      return retryOnConflict(`audit "${slug}"`, async () => {
        const head = parseSlugHead(await this.client.hgetall(this.keys.chain(slug).head));
        const [entry] = sealEntries(slug, [audit], head.chain);
        const [status] = await this.scripts.run('pfAppendAudit', this.keys.chain(slug), { seq: head.chain.seq }, [entry], [], []);
        return status === 'ok' ? entry : CONFLICT;
      });
    });
  }

  /** A write that must see `expectedRevision`: a moved revision is the caller's problem, a moved chain only ours. */
  private revisionWrite(
    slug: string,
    expectedRevision: number,
    what: string,
    plan: (snap: Snapshot) => {
      script: 'pfChangeStatuses' | 'pfPutRollout' | 'pfSetKill';
      audit: AuditDraft[];
      extraKeys: string[];
      extraArgs: (string | number)[];
      next: PromptState;
    },
  ): Promise<PromptState> {
    return guardRedis(async () => {
      await this.client.sadd(this.keys.prompts(), slug);
      return retryOnConflict(`${what} of "${slug}"`, async () => {
        const snap = await this.snapshot(slug);
        assertRevision(slug, snap.state, expectedRevision);
        const write = plan(snap);
        const entries = sealEntries(slug, write.audit, snap.head.chain);
        const [status] = await this.scripts.run(
          write.script,
          this.keys.chain(slug),
          { seq: snap.head.chain.seq, revision: expectedRevision },
          entries,
          write.extraKeys,
          write.extraArgs,
        );
        return status === 'ok' ? { ...write.next, revision: expectedRevision + 1 } : CONFLICT;
      });
    });
  }

  /** Head, statuses, rollout and kill read atomically (MULTI), so a script that sees the same head sees the same state. */
  private async snapshot(slug: string): Promise<Snapshot> {
    const replies = await this.client
      .multi()
      .hgetall(this.keys.chain(slug).head)
      .hgetall(this.keys.status(slug))
      .get(this.keys.rollout(slug))
      .get(this.keys.kill(slug))
      .exec();
    if (!replies) throw new Error('MULTI was aborted');
    const [head, statuses, rollout, kill] = replies.map(([error, reply]) => {
      if (error) throw error;
      return reply;
    });
    const parsedHead = parseSlugHead(head as Record<string, string>);
    return {
      head: parsedHead,
      state: {
        revision: parsedHead.revision,
        latestVersion: parsedHead.latestVersion,
        statuses: parseStatuses(statuses as Record<string, string>),
        rollout: rollout ? (JSON.parse(rollout as string) as StoredRollout) : null,
        kill: kill ? (JSON.parse(kill as string) as KillState) : null,
      },
    };
  }
}

function withStatus(body: string, status: PromptStatus | null | undefined): PromptVersion {
  return { ...(JSON.parse(body) as VersionBody), status: status ?? 'draft' };
}

function parseStatuses(fields: Record<string, string> | null | undefined): Record<number, PromptStatus> {
  const statuses: Record<number, PromptStatus> = {};
  for (const [version, status] of Object.entries(fields ?? {})) statuses[Number(version)] = status as PromptStatus;
  return statuses;
}
