import { Injectable } from '@nestjs/common';
import { effectiveRollout } from '../rollout/domain/effective-rollout';
import { EMPTY_ROLLOUT, type RolloutSpec } from '../rollout/domain/rollout';
import { type PromptState, PromptStore } from '../store/ports/prompt-store.port';
import { FrozenJsonInterner } from './domain/frozen-json';
import { buildPromptFlag, type PromptFlagDefinition, type ServableVersion } from './domain/prompt-flag';
import { prodVersionOf } from '../registry/domain/status-transitions';

export interface LoadedPromptFlag {
  slug: string;
  revision: number;
  flag: PromptFlagDefinition;
  /** Every version the flag can serve, by number. */
  versions: Map<number, ServableVersion>;
  /** Versions the stored rollout names that no longer serve (deprecated since). */
  inactive: number[];
}

/**
 * Builds a slug's flag from the store: its state, its rollout and the bodies of the versions they name. Version
 * bodies never change, so each is read from the store once per process and kept with only the fields a flag serves,
 * variable declarations and model hints shared between versions that repeat them.
 */
@Injectable()
export class PromptFlagLoader {
  /** slug → version → body. Nested rather than keyed by `slug + version`: such keys cost ~100 bytes each. */
  private readonly bodies = new Map<string, Map<number, ServableVersion>>();
  private readonly declarations = new FrozenJsonInterner();
  private readonly modelHints = new Map<string, string>();

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
    const versions = new Map<number, ServableVersion>();
    for (const n of numbers) versions.set(n, await this.body(slug, n));
    const flag = buildPromptFlag({
      slug,
      revision: state.revision,
      baseline: versions.get(baseline) as ServableVersion,
      trafficVersions: [...versions.values()],
      rollout: spec,
      ...(killedTo !== undefined ? { killedTo: versions.get(killedTo) as ServableVersion } : {}),
    });
    return { slug, revision: state.revision, flag, versions, inactive };
  }

  private async body(slug: string, version: number): Promise<ServableVersion> {
    let bodies = this.bodies.get(slug);
    if (!bodies) this.bodies.set(slug, (bodies = new Map()));
    const cached = bodies.get(version);
    if (cached) return cached;
    const found = await this.store.getVersion(slug, version);
    if (!found) throw new Error(`Prompt "${slug}" names version ${version}, which the store does not have`);
    const servable: ServableVersion = {
      // The slug's own string when it matches (one copy per slug, not per version); buildPromptFlag refuses others.
      slug: found.slug === slug ? slug : found.slug,
      version: found.version,
      template: found.template,
      modelHint: this.modelHint(found.modelHint),
      contentHash: found.contentHash,
      variables: this.declarations.copy(found.variables),
    };
    bodies.set(version, servable);
    return servable;
  }

  private modelHint(hint: string): string {
    const known = this.modelHints.get(hint);
    if (known !== undefined) return known;
    this.modelHints.set(hint, hint);
    return hint;
  }
}
