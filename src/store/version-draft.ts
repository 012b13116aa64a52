import { headOf, sealAuditEntry, type ChainHead } from '../audit/domain/audit-chain';
import type { AuditDraft, AuditEntry } from '../audit/domain/audit-entry';
import type { PromptVersion } from '../registry/domain/prompt-version';
import type { NewPromptVersion } from './ports/prompt-store.port';
import { auditTimeMs } from './record-order';

/** A version's immutable body: everything but `status`, which changes and is stored apart. */
export type VersionBody = Omit<PromptVersion, 'status'>;

export interface VersionDraft {
  version: PromptVersion;
  body: VersionBody;
  entry: AuditEntry;
}

/**
 * The slug's next version and its sealed audit entry, computed from the slug's current heads.
 * Pure: the adapter commits it only if those heads are still current.
 */
export function draftVersion(
  input: NewPromptVersion,
  latestVersion: number,
  chainHead: ChainHead,
  audit: (created: PromptVersion) => AuditDraft,
): VersionDraft {
  const version: PromptVersion = { ...input, version: latestVersion + 1, status: 'draft' };
  const [entry] = sealEntries(input.slug, [audit(version)], chainHead);
  return { version, body: versionBody(version), entry };
}

/** Seals drafts one after another onto `chain` after `head`. */
export function sealEntries(chain: string, drafts: readonly AuditDraft[], head: ChainHead): AuditEntry[] {
  const entries: AuditEntry[] = [];
  let current = head;
  for (const draft of drafts) {
    auditTimeMs(draft.at);
    const entry = sealAuditEntry(chain, draft, current);
    entries.push(entry);
    current = headOf(entry);
  }
  return entries;
}

export function versionBody(version: PromptVersion): VersionBody {
  const { status: _status, ...body } = version;
  return body;
}
