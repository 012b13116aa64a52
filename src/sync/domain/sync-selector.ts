import type { FlagdDocument, FlagdFlagDefinition } from '../../flags/domain/flag-document';
import { sha256Hex } from '../../common/domain/canonical-hash';
import { SLUG_PATTERN } from '../../registry/domain/slug';

/**
 * Which flags a sync client receives: a set of slugs, or `null` for all of them.
 *
 * The `flagd-selector` header (or the deprecated request field) holds a comma-separated list of slugs, e.g.
 * `triage,summarise`; empty means every flag. Slugs not served (yet) are simply absent from the document and
 * appear as soon as they get a prod version.
 */
export type SyncSelector = ReadonlySet<string> | null;

export type ParsedSyncSelector = { ok: true; selector: SyncSelector } | { ok: false; message: string };

export function parseSyncSelector(raw: string | undefined): ParsedSyncSelector {
  const entries = (raw ?? '')
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0);
  if (entries.length === 0) return { ok: true, selector: null };
  const invalid = entries.filter((entry) => !SLUG_PATTERN.test(entry));
  if (invalid.length > 0) {
    return { ok: false, message: `flagd-selector must be a comma-separated list of prompt slugs; not a slug: ${invalid.map((e) => JSON.stringify(e)).join(', ')}` };
  }
  return { ok: true, selector: new Set(entries) };
}

/** A canonical string for a selector, to share one serialised document between clients with the same selector. */
export function selectorKey(selector: SyncSelector): string {
  return selector === null ? '*' : [...selector].sort().join(',');
}

/** What a sync message carries: flags and `flagSetId`, without the document-wide `metadata.version`. */
export type SyncDocument = Omit<FlagdDocument, 'metadata'> & { metadata: { flagSetId: string } };

export interface SyncView {
  /** Changes exactly when the flags this selector sees change (used to never re-send an identical document). */
  version: string;
  document: SyncDocument;
}

/**
 * The part of `document` a selector asks for, as sent over sync.
 *
 * The document-wide `metadata.version` is left out: flagd-core merges flag-set metadata into every flag and hashes
 * the result, so a version that changes with any flag would make every flag look changed to in-process clients
 * (ConfigurationChanged naming all flags) and would show up as each flag's `version` metadata.
 */
export function syncView(document: FlagdDocument, selector: SyncSelector): SyncView {
  const metadata = { flagSetId: document.metadata.flagSetId };
  if (selector === null) return { version: document.metadata.version, document: { $schema: document.$schema, flags: document.flags, metadata } };
  const flags: Record<string, FlagdFlagDefinition> = {};
  for (const key of Object.keys(document.flags).sort()) if (selector.has(key)) flags[key] = document.flags[key];
  const version = sha256Hex(JSON.stringify(flags));
  return { version, document: { $schema: document.$schema, flags, metadata } };
}
