import { Injectable } from '@nestjs/common';
import type { PromptVersion } from '../registry/domain/prompt-version';
import { effectiveRollout } from '../rollout/domain/effective-rollout';
import { EMPTY_ROLLOUT, type RolloutSpec } from '../rollout/domain/rollout';
import { type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { buildPromptFlag, type PromptFlagDefinition } from './domain/prompt-flag';
import { prodVersionOf } from '../registry/domain/status-transitions';

export interface LoadedPromptFlag {
  slug: string;
  revision: number;
  flag: PromptFlagDefinition;
  /** Every version the flag can serve, by number. */
  versions: Map<number, PromptVersion>;
  /** Versions the stored rollout names that no longer serve (deprecated since). */
  inactive: number[];
}

/**
 * Builds a slug's flag from the store: its state, its rollout and the bodies of the versions they name. Version
 * bodies never change, so each is read from the store once per process.
 */
@Injectable()
export class PromptFlagLoader {
  private readonly bodies = new Map<string, PromptVersion>();

  constructor(private readonly store: PromptStore) {}

  /** The slug's flag as stored now; null while the slug has no prod version (nothing to serve). */
  async load(slug: string): Promise<LoadedPromptFlag | null> {
    return this.build(slug, await this.store.getState(slug));
  }

  /** The flag that `state`, with `rollout` in place of the stored one when given, would publish. */
  async build(slug: string, state: PromptState, rollout?: RolloutSpec): Promise<LoadedPromptFlag | null> {
    const killedTo = state.kill?.toVersion;
    // While killed the kill version serves even when no version is prod any more (killed to the last prod).
    const baseline = prodVersionOf(state.statuses) ?? killedTo ?? null;
    if (baseline === null) return null;
    const { spec, inactive } = effectiveRollout(rollout ?? state.rollout ?? EMPTY_ROLLOUT, state.statuses);
    const numbers = new Set([baseline, ...spec.allocation.map((a) => a.version), ...spec.rules.map((r) => r.version)]);
    if (killedTo !== undefined) numbers.add(killedTo);
    else if (spec.shadow !== undefined) numbers.add(spec.shadow);
    const versions = new Map<number, PromptVersion>();
    for (const n of numbers) versions.set(n, await this.body(slug, n));
    const flag = buildPromptFlag({
      slug,
      revision: state.revision,
      baseline: versions.get(baseline) as PromptVersion,
      trafficVersions: [...versions.values()],
      rollout: spec,
      ...(killedTo !== undefined ? { killedTo: versions.get(killedTo) as PromptVersion } : {}),
    });
    return { slug, revision: state.revision, flag, versions, inactive };
  }

  private async body(slug: string, version: number): Promise<PromptVersion> {
    const key = `${slug}\u0000${version}`;
    const cached = this.bodies.get(key);
    if (cached) return cached;
    const found = await this.store.getVersion(slug, version);
    if (!found) throw new Error(`Prompt "${slug}" names version ${version}, which the store does not have`);
    this.bodies.set(key, found);
    return found;
  }
}
