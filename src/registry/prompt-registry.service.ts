import { Injectable } from '@nestjs/common';
import { ConflictError, NotFoundError, PayloadTooLargeError, StaleWriteError, UnprocessableError } from '../common/domain/domain-error';
import type { Principal } from '../auth/domain/principal';
import { PromptChangePublisher } from '../flags/prompt-change.publisher';
import { reasonWithGateWaiver } from '../gates/domain/gate-policy';
import { GateService } from '../gates/gate.service';
import { type CreateVersionResult, type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { contentHash } from './domain/content-hash';
import type { PromptDraft, PromptStatus, PromptSummary, PromptVersion, VariableDeclaration } from './domain/prompt-version';
import { VersionNotFoundError } from './domain/registry.errors';
import { planStatusChange } from './domain/status-transitions';
import { type LintIssue, type LintReport, lintTemplate, MAX_TEMPLATE_BYTES } from './domain/template-lint';

/** How often a status change re-plans after losing a race with another writer before it gives up with a 409. */
const STATUS_CHANGE_ATTEMPTS = 3;

/**
 * The prompt registry: immutable, numbered versions and their lifecycle. Every write is linted or planned by
 * pure domain functions first, then persisted atomically with its audit entry.
 */
@Injectable()
export class PromptRegistryService {
  constructor(
    private readonly store: PromptStore,
    private readonly changes: PromptChangePublisher,
    private readonly gates: GateService,
  ) {}

  lint(template: string, variables: VariableDeclaration[]): LintReport {
    assertTemplateSize(template);
    return lintTemplate(template, variables);
  }

  async createVersion(slug: string, draft: PromptDraft, author: Principal, idempotencyKey?: string): Promise<CreateVersionResult & { warnings: LintIssue[] }> {
    const report = this.lint(draft.template, draft.variables);
    if (report.errors.length > 0) throw lintFailure(report);
    const variables = draft.variables.map(normaliseVariable);
    const result = await this.store.createVersion(
      {
        slug,
        template: draft.template,
        variables,
        modelHint: draft.modelHint,
        rationale: draft.rationale,
        ...(draft.evalHash ? { evalHash: draft.evalHash } : {}),
        contentHash: contentHash({ template: draft.template, variables, modelHint: draft.modelHint }),
        author: author.name,
        createdAt: new Date().toISOString(),
      },
      (created) => ({
        at: created.createdAt,
        actor: author.name,
        action: 'version.created',
        slug,
        version: created.version,
        after: { version: created.version, contentHash: created.contentHash, status: created.status, modelHint: created.modelHint },
        reason: created.rationale,
      }),
      idempotencyKey,
    );
    if (!result.created && result.version.contentHash !== contentHash({ template: draft.template, variables, modelHint: draft.modelHint })) {
      throw new ConflictError(`Idempotency-Key "${idempotencyKey}" was already used for version ${result.version.version} with different content`, {
        idempotencyKey,
        version: result.version.version,
      });
    }
    return { ...result, warnings: report.warnings };
  }

  async getVersion(slug: string, version: number): Promise<PromptVersion> {
    const found = await this.store.getVersion(slug, version);
    if (!found) throw new VersionNotFoundError(version, slug);
    return found;
  }

  async listVersions(slug: string, offset: number, limit: number): Promise<{ items: PromptVersion[]; total: number; offset: number; limit: number }> {
    const page = await this.store.listVersions(slug, { offset, limit });
    if (page.total === 0) throw new NotFoundError(`No prompt "${slug}"`, { slug });
    return { ...page, offset, limit };
  }

  listPrompts(): Promise<PromptSummary[]> {
    return this.store.listPrompts();
  }

  /**
   * Moves a version through its lifecycle. Promoting to prod deprecates the previous prod in the same atomic step.
   * A staging version goes to prod only once it meets the slug's promotion gates (a 409 names the unmet ones), unless
   * `gateWaiver` says why they do not apply (recorded in the audit entry).
   */
  async changeStatus(slug: string, version: number, to: PromptStatus, reason: string, actor: Principal, gateWaiver?: string): Promise<PromptVersion> {
    const why = reasonWithGateWaiver(reason, gateWaiver);
    for (let attempt = 1; ; attempt++) {
      const state = await this.store.getState(slug);
      if (!(version in state.statuses)) throw new VersionNotFoundError(version, slug);
      const changes = planStatusChange(state.statuses, version, to);
      if (to === 'prod' && gateWaiver === undefined) await this.gates.assertMayGoToProd(slug, version, state.statuses[version]);
      const at = new Date().toISOString();
      const audit = changes.map((change) => ({
        at,
        actor: actor.name,
        action: 'version.status_changed',
        slug,
        version: change.version,
        before: { status: change.from },
        after: { status: change.to },
        reason: change.version === version ? why : `${reason} (superseded by version ${version})`,
      }));
      try {
        const next = await this.store.changeStatuses(slug, state.revision, changes, audit);
        await this.announce(slug, next);
        return this.getVersion(slug, version);
      } catch (error) {
        if (!(error instanceof StaleWriteError) || attempt >= STATUS_CHANGE_ATTEMPTS) throw error;
      }
    }
  }

  private async announce(slug: string, state: PromptState): Promise<void> {
    await this.changes.changed(slug, state.revision);
  }
}

function assertTemplateSize(template: string): void {
  const bytes = Buffer.byteLength(template, 'utf8');
  if (bytes > MAX_TEMPLATE_BYTES) {
    throw new PayloadTooLargeError(`template is ${bytes} bytes; the limit is ${MAX_TEMPLATE_BYTES} bytes (64 KiB)`, { field: 'template', bytes, limit: MAX_TEMPLATE_BYTES });
  }
}

function lintFailure(report: LintReport): UnprocessableError {
  const summary = report.errors.map((issue) => issue.message).join('; ');
  return new UnprocessableError(`template failed lint: ${summary}`, { errors: report.errors, warnings: report.warnings });
}

function normaliseVariable(variable: VariableDeclaration): VariableDeclaration {
  return {
    name: variable.name,
    required: variable.required ?? false,
    ...(variable.description !== undefined ? { description: variable.description } : {}),
  };
}
