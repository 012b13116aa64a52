import { Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Principal } from '../auth/domain/principal';
import { UnprocessableError } from '../common/domain/domain-error';
import { AppConfig } from '../config/app-config';
import { validateFlagDocument } from '../flags/domain/flag-document';
import { contentOfValue } from '../flags/domain/prompt-flag';
import { parsePromptFlag, type ParsedPromptFlag } from '../flags/domain/prompt-flag-parser';
import { contentHash } from '../registry/domain/content-hash';
import type { PromptStatus } from '../registry/domain/prompt-version';
import { PromptRegistryService } from '../registry/prompt-registry.service';
import { RolloutService } from '../rollout/rollout.service';
import { canonicalJson } from '../common/domain/canonical-hash';
import { PromptStore } from '../store/ports/prompt-store.port';

const GITOPS: Principal = { keyId: 'gitops', name: 'gitops', role: 'admin' };

/** Steps from a status to prod, and to a status that may receive traffic. */
const PATH_TO_PROD: Record<PromptStatus, PromptStatus[]> = { draft: ['staging', 'prod'], staging: ['prod'], prod: [], deprecated: ['prod'] };
const PATH_TO_TRAFFIC: Record<PromptStatus, PromptStatus[]> = { draft: ['staging'], staging: [], prod: [], deprecated: ['prod'] };

export interface ImportOutcome {
  file: string;
  imported: string[];
  refused: { flag: string; reason: string }[];
}

/**
 * Flag files are the operator's reviewed desired state: the review in their repository (and `promptflag lint` in its
 * CI) is the gate, so the service's promotion gates do not apply to an import. Every import is audited as `gitops`.
 */
export const GITOPS_GATE_WAIVER = 'imported from a flag file, reviewed in its repository';

/**
 * GitOps: on start, applies every flagd document in FLAGS_DIR (files in the format GET /v1/flags exports). Each
 * prompt flag's versions are created when missing (and must match the registry when present), its default variant
 * becomes prod, the versions it routes to at least staging, and its targeting the rollout. Re-importing an applied
 * file changes nothing. An invalid file or flag is refused with a message and never half-applied to the flag it names.
 */
@Injectable()
export class FlagFileImportService implements OnApplicationBootstrap {
  private readonly logger = new Logger(FlagFileImportService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly store: PromptStore,
    private readonly registry: PromptRegistryService,
    private readonly rollouts: RolloutService,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    for (const outcome of await this.importDirectory(this.config.FLAGS_DIR)) {
      if (outcome.imported.length > 0) this.logger.log(`${outcome.file}: imported ${outcome.imported.join(', ')}`);
      for (const { flag, reason } of outcome.refused) this.logger.error(`${outcome.file}: refused ${flag}: ${reason}`);
    }
  }

  async importDirectory(dir: string): Promise<ImportOutcome[]> {
    let files: string[];
    try {
      files = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
    } catch {
      return [];
    }
    const outcomes: ImportOutcome[] = [];
    for (const name of files) outcomes.push(await this.importFile(join(dir, name), name));
    return outcomes;
  }

  private async importFile(path: string, file: string): Promise<ImportOutcome> {
    const outcome: ImportOutcome = { file, imported: [], refused: [] };
    let document: { flags: Record<string, unknown> };
    try {
      document = JSON.parse(readFileSync(path, 'utf8'));
      validateFlagDocument(document);
    } catch (error) {
      outcome.refused.push({ flag: '(whole file)', reason: (error as Error).message });
      return outcome;
    }
    for (const [slug, flag] of Object.entries(document.flags)) {
      try {
        await this.applyFlag(slug, parsePromptFlag(slug, flag), `imported from flags/${file}`);
        outcome.imported.push(slug);
      } catch (error) {
        outcome.refused.push({ flag: slug, reason: (error as Error).message });
      }
    }
    return outcome;
  }

  private async applyFlag(slug: string, parsed: ParsedPromptFlag, reason: string): Promise<void> {
    if (parsed.killedTo !== undefined) throw new UnprocessableError('a killed flag cannot be imported; restore it first');
    await this.checkVersions(slug, parsed);
    for (const value of parsed.variantValues) {
      if (await this.store.getVersion(slug, value.version)) continue;
      const { version } = await this.registry.createVersion(
        slug,
        { ...contentOfValue(value), rationale: reason },
        GITOPS,
        `gitops:v${value.version}:${value.contentHash}`,
      );
      if (version.version !== value.version) throw new UnprocessableError(`version ${value.version} was created as ${version.version}`);
    }
    await this.walk(slug, parsed.baselineVersionValue.version, PATH_TO_PROD, reason);
    const routed = new Set([...parsed.rollout.allocation.map((a) => a.version), ...parsed.rollout.rules.map((r) => r.version)]);
    for (const version of routed) await this.walk(slug, version, PATH_TO_TRAFFIC, reason);

    const current = await this.rollouts.get(slug);
    const stored = { allocation: current.allocation, rules: current.rules, ...(current.bucketBy ? { bucketBy: current.bucketBy } : {}) };
    if (canonicalJson(stored) !== canonicalJson(parsed.rollout)) await this.rollouts.replace(slug, current.revision, parsed.rollout, reason, GITOPS, GITOPS_GATE_WAIVER);
  }

  /** Every variant must be new (the next numbers, in order) or identical to the registry's version. */
  private async checkVersions(slug: string, parsed: ParsedPromptFlag): Promise<void> {
    let next = (await this.store.getState(slug)).latestVersion + 1;
    for (const value of parsed.variantValues) {
      const computed = contentHash(contentOfValue(value));
      if (computed !== value.contentHash) throw new UnprocessableError(`v${value.version}: contentHash does not match its template, variables and modelHint`);
      const existing = await this.store.getVersion(slug, value.version);
      if (existing) {
        if (existing.contentHash !== value.contentHash) throw new UnprocessableError(`v${value.version} differs from version ${value.version} in the registry (versions are immutable)`);
        continue;
      }
      if (value.version !== next) throw new UnprocessableError(`v${value.version} is not in the registry and the next version number is ${next}`);
      next += 1;
    }
  }

  private async walk(slug: string, version: number, path: Record<PromptStatus, PromptStatus[]>, reason: string): Promise<void> {
    const status = (await this.store.getState(slug)).statuses[version];
    for (const step of path[status]) await this.registry.changeStatus(slug, version, step, reason, GITOPS, GITOPS_GATE_WAIVER);
  }
}
