import type { AuditDraft, AuditEntry } from '../../audit/domain/audit-entry';
import { SYSTEM_CHAIN } from '../../audit/domain/audit-entry';
import { ConflictError } from '../../common/domain/domain-error';
import { sealEntries } from '../version-draft';
import { CONFLICT, retryOnConflict } from './redis-cas';
import type { RedisChains } from './redis-chains';
import type { RedisKeys } from './redis-keys';
import type { RedisScripts } from './redis-scripts';

/** One step of a system write; see SYSTEM_WRITE_LUA. `absent` guards run before any write. */
export type SystemOp =
  | { op: 'absent'; field: string; in: 'keys' | 'hashes' }
  | { op: 'put'; id: string; record: string }
  | { op: 'index'; keyHash: string; id: string }
  | { op: 'unindex'; keyHash: string };

/** Appends to the `_system` chain, together with API key changes, in one check-and-set script. */
export class RedisSystemChain {
  constructor(
    private readonly keys: RedisKeys,
    private readonly scripts: RedisScripts,
    private readonly chains: RedisChains,
  ) {}

  /**
   * Reads the head, lets `plan` decide from it (null: nothing to write), seals the drafts and commits; retries
   * when another system write got in first.
   * @throws ConflictError when an `absent` guard finds the field present.
   */
  write<T>(what: string, plan: () => Promise<{ ops: SystemOp[]; audit: AuditDraft[]; result: T } | { result: T; skip: true }>): Promise<{ result: T; entries: AuditEntry[] }> {
    return retryOnConflict(what, async () => {
      const head = await this.chains.head(SYSTEM_CHAIN);
      const planned = await plan();
      if ('skip' in planned) return { result: planned.result, entries: [] };
      const entries = sealEntries(SYSTEM_CHAIN, planned.audit, head);
      const [status, detail] = await this.scripts.run(
        'pfSystemWrite',
        this.keys.chain(SYSTEM_CHAIN),
        { seq: head.seq },
        entries,
        [this.keys.apiKeys(), this.keys.apiKeyHashes()],
        [planned.ops.length, ...planned.ops.flatMap(opArgs)],
      );
      if (status === 'conflict') return CONFLICT;
      if (status === 'exists') throw new ConflictError(`Cannot ${what}: "${detail}" is already stored`);
      return { result: planned.result, entries };
    });
  }
}

function opArgs(op: SystemOp): (string | number)[] {
  switch (op.op) {
    case 'absent':
      return ['absent', op.field, op.in === 'keys' ? 0 : 1];
    case 'put':
      return ['put', op.id, op.record];
    case 'index':
      return ['index', op.keyHash, op.id];
    case 'unindex':
      return ['unindex', op.keyHash, ''];
  }
}
