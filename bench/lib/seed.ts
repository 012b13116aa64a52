import type { INestApplicationContext } from '@nestjs/common';
import type { Principal } from '../../src/auth/domain/principal';
import { GateService } from '../../src/gates/gate.service';
import { PromptRegistryService } from '../../src/registry/prompt-registry.service';
import type { RolloutSpec } from '../../src/rollout/domain/rollout';
import { RolloutService } from '../../src/rollout/rollout.service';
import { benchDraft } from './fixtures';

const BENCH_ACTOR: Principal = { keyId: 'bench', name: 'bench', role: 'admin' };
const PASSED_EVAL = { suiteHash: 'bench-suite', score: 1, passed: true };

/** The rollout the resolver and HTTP figures use: v3 pinned for tenant acme, then a 10/90 split of v2/v1 (v1 prod). */
export const SPLIT_WITH_RULE: RolloutSpec = {
  allocation: [
    { version: 2, weight: 10 },
    { version: 1, weight: 90 },
  ],
  rules: [{ name: 'acme on the candidate', match: { tenant: ['acme'] }, version: 3 }],
};

/**
 * Seeds one slug through the real services (lint, content hash, promotion gates, lifecycle, rollout validation,
 * change publisher), exactly as the HTTP API would: versions 1..3 of the bench template, each with a passing eval
 * attached, v1 → prod, v2 and v3 → staging, then `rollout`.
 */
export async function seedViaServices(app: INestApplicationContext, slug: string, rollout: RolloutSpec = SPLIT_WITH_RULE): Promise<void> {
  const registry = app.get(PromptRegistryService);
  const gates = app.get(GateService);
  const rollouts = app.get(RolloutService);
  for (let v = 1; v <= 3; v++) {
    await registry.createVersion(slug, benchDraft(`${slug}/v${v}`), BENCH_ACTOR);
    await gates.recordEval(slug, v, PASSED_EVAL, BENCH_ACTOR);
    await registry.changeStatus(slug, v, 'staging', 'bench', BENCH_ACTOR);
  }
  await registry.changeStatus(slug, 1, 'prod', 'bench', BENCH_ACTOR);
  const { revision } = await rollouts.get(slug);
  await rollouts.replace(slug, revision, rollout, 'bench', BENCH_ACTOR);
}
