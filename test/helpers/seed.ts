import type { TestApp } from './create-test-app';
import { versionBody } from './create-test-app';

/** Template of a seeded version: names its version so a test can tell which one it got. */
export function seededTemplate(version: number): string {
  return `v${version} triage for {{company}}: {{ticket}}`;
}

/**
 * Creates versions 1..count of `slug`, each with a passing eval attached (so it clears the default promotion gates;
 * `withoutEval` leaves those versions bare), puts `prod` in prod and each of `staging` in staging.
 */
export async function seedPrompt(t: TestApp, slug: string, options: { count: number; prod?: number; staging?: number[]; withoutEval?: number[] }): Promise<void> {
  for (let version = 1; version <= options.count; version++) {
    const res = await t.call('POST', `/v1/prompts/${slug}/versions`, { body: versionBody({ template: seededTemplate(version) }) });
    if (res.status !== 201) throw new Error(`seeding ${slug} v${version}: ${res.status} ${JSON.stringify(res.body)}`);
    if (!options.withoutEval?.includes(version)) await attachEval(t, slug, version);
  }
  const move = async (version: number, status: string) => {
    const res = await t.call('POST', `/v1/prompts/${slug}/versions/${version}/status`, { body: { status, reason: 'seed' } });
    if (res.status !== 200) throw new Error(`seeding ${slug} v${version} → ${status}: ${res.status} ${JSON.stringify(res.body)}`);
  };
  if (options.prod !== undefined) {
    await move(options.prod, 'staging');
    await move(options.prod, 'prod');
  }
  for (const version of options.staging ?? []) await move(version, 'staging');
}

/** Attaches an eval result to a version (a passing one unless `result` says otherwise). */
export async function attachEval(t: TestApp, slug: string, version: number, result: Record<string, unknown> = {}): Promise<void> {
  const res = await t.call('POST', `/v1/prompts/${slug}/versions/${version}/evals`, { body: { suiteHash: 'suite-test', score: 0.9, passed: true, ...result } });
  if (res.status !== 201) throw new Error(`attaching an eval to ${slug} v${version}: ${res.status} ${JSON.stringify(res.body)}`);
}

/** Reads the rollout and replaces it with If-Match; returns the PUT response. */
export async function putRollout(t: TestApp, slug: string, spec: Record<string, unknown>) {
  const current = await t.call('GET', `/v1/prompts/${slug}/rollout`);
  return t.call('PUT', `/v1/prompts/${slug}/rollout`, { body: { reason: 'test', ...spec }, headers: { 'if-match': `"${current.body.revision}"` } });
}

export async function waitFor(condition: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function mapConcurrently<T, R>(items: T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await task(items[index]);
      }
    }),
  );
  return results;
}
