import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { action, seg } from '../context';
import type { KillView } from '../../killswitch/killswitch.service';
import type { RolloutView } from '../../rollout/rollout.service';
import { describeRule, describeSplit } from './rollout.command';
import type { VersionPage } from './versions.command';

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('what a prompt serves: prod version, rollout split, kill state and latest versions')
    .argument('<slug>')
    .action(
      action(async (ctx, slug: string) => {
        const path = `/v1/prompts/${seg(slug)}`;
        // Versions first: an unknown slug is a 404 here (exit 5).
        const versions = await ctx.client.get<VersionPage>(`${path}/versions`, { query: { limit: 5 } });
        const [rollout, kill] = await Promise.all([
          ctx.client.get<RolloutView>(`${path}/rollout`),
          ctx.client.get<KillView>(`${path}/kill`).catch((error: unknown) => {
            if (error instanceof ApiError && error.kind === 'not-found' && error.routeMissing) return null; // an older server
            throw error;
          }),
        ]);
        const prod = versions.items.find((v) => v.status === 'prod')?.version ?? rollout.baseline;
        const latest = versions.items[0]?.version ?? null;
        ctx.out.data({ slug, prodVersion: prod ?? null, latestVersion: latest, totalVersions: versions.total, rollout, kill, versions: versions.items });

        ctx.out.line(`${slug}`);
        ctx.out.line(`  prod:      ${prod ? `v${prod}` : 'none'}   (latest v${latest ?? '-'}, ${versions.total} version(s))`);
        if (kill?.killed && kill.kill) {
          ctx.out.line(`  KILLED:    everyone gets v${kill.kill.toVersion} since ${kill.kill.at} by ${kill.kill.actor}: ${kill.kill.reason}`);
        } else {
          ctx.out.line(`  kill:      ${kill === null ? 'unknown (the server has no kill switch)' : 'not killed'}`);
        }
        ctx.out.line(`  split:     ${describeSplit(rollout)}${kill?.killed ? ' (stored; serves after restore)' : ''}`);
        for (const rule of rollout.rules) ctx.out.line(`  rule:      ${describeRule(rule)}`);
        if (rollout.bucketBy) ctx.out.line(`  bucket by: ${rollout.bucketBy}`);
        ctx.out.line(`  revision:  ${rollout.revision}`);
        ctx.out.line('');
        ctx.out.table(
          versions.items.map((v) => ({ ...v, hash: `sha256:${v.contentHash.slice(0, 12)}` })),
          ['version', 'status', 'modelHint', 'hash', 'createdAt', 'rationale'],
        );
      }),
    );
}
