import { Injectable } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import type { PromptVersion } from '../registry/domain/prompt-version';
import { VersionNotFoundError } from '../registry/domain/registry.errors';
import { PromptRegistryService } from '../registry/prompt-registry.service';
import { PromptStore } from '../store/ports/prompt-store.port';
import { RollbackRefusedError } from './domain/killswitch.errors';
import { prodVersionOf } from '../registry/domain/status-transitions';

/** Statuses a rollback may re-promote: a former prod (deprecated) or a staged version. */
const ROLLBACK_FROM = ['deprecated', 'staging'] as const;

export interface RollbackResult {
  slug: string;
  /** The version now in prod. */
  version: PromptVersion;
  /** The prod version it replaced (now deprecated), or null. */
  previousProd: number | null;
}

/**
 * Rollback: re-promote an earlier version to prod. It is the registry's ordinary promotion (which deprecates the
 * current prod in the same atomic step and audits both changes); nothing is deleted. Unlike the kill switch it
 * changes the baseline for good, and the stored rollout keeps applying on top of it.
 */
@Injectable()
export class RollbackService {
  constructor(
    private readonly store: PromptStore,
    private readonly registry: PromptRegistryService,
  ) {}

  async rollback(slug: string, toVersion: number, reason: string, actor: Principal): Promise<RollbackResult> {
    const { statuses } = await this.store.getState(slug);
    const status = statuses[toVersion];
    if (status === undefined) throw new VersionNotFoundError(toVersion, slug);
    if (!(ROLLBACK_FROM as readonly string[]).includes(status)) {
      throw new RollbackRefusedError(`Version ${toVersion} of "${slug}" is ${status}; a rollback re-promotes a deprecated or staging version`, {
        slug,
        toVersion,
        status,
      });
    }
    const previousProd = prodVersionOf(statuses);
    const version = await this.registry.changeStatus(slug, toVersion, 'prod', `rollback: ${reason}`, actor);
    return { slug, version, previousProd };
  }
}
