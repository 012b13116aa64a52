// Builders shared by the flags/domain specs (not used by production code).
import type { PromptVersion } from '../../../registry/domain/prompt-version';
import type { RolloutSpec } from '../../../rollout/domain/rollout';
import { buildPromptFlag, type PromptFlagDefinition } from '../prompt-flag';

export function promptVersion(slug: string, version: number, overrides: Partial<PromptVersion> = {}): PromptVersion {
  return {
    slug,
    version,
    template: `Hello {{name}}, this is ${slug} v${version}.`,
    variables: [{ name: 'name', required: true }],
    modelHint: 'gpt-4o-mini',
    rationale: `version ${version}`,
    contentHash: `sha256:${slug}:${version}`,
    author: 'tester',
    createdAt: '2026-01-01T00:00:00.000Z',
    status: 'prod',
    ...overrides,
  };
}

/** All versions a rollout names, plus the baseline; statuses default to staging (baseline prod). */
export function versionsFor(slug: string, baseline: number, rollout: RolloutSpec): PromptVersion[] {
  const numbers = new Set<number>([baseline, ...rollout.allocation.map((a) => a.version), ...rollout.rules.map((r) => r.version)]);
  return [...numbers].map((n) => promptVersion(slug, n, { status: n === baseline ? 'prod' : 'staging' }));
}

/** A prompt flag for `slug` with baseline `baseline` and `rollout`, versions generated. */
export function promptFlag(
  slug: string,
  baseline: number,
  rollout: RolloutSpec,
  options: { revision?: number; killedTo?: number } = {},
): PromptFlagDefinition {
  const versions = versionsFor(slug, baseline, rollout);
  const byNumber = new Map(versions.map((v) => [v.version, v]));
  return buildPromptFlag({
    slug,
    revision: options.revision ?? 1,
    baseline: byNumber.get(baseline) as PromptVersion,
    trafficVersions: versions,
    rollout,
    ...(options.killedTo !== undefined
      ? { killedTo: byNumber.get(options.killedTo) ?? promptVersion(slug, options.killedTo) }
      : {}),
  });
}
