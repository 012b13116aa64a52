import type { Command } from 'commander';
import { ApiError } from '../api-client';
import type { RolloutView } from '../../rollout/rollout.service';
import { parseRule, parseSplit, requireReason, type TargetingRule } from '../args';
import { action, type CliContext, seg } from '../context';
import { CliError } from '../output';

interface RolloutOptions {
  split?: string;
  rule?: string[];
  clearRules?: boolean;
  bucketBy?: string;
  statsigExperiment?: string;
  reason?: string;
}

export function registerRolloutCommand(program: Command): void {
  program
    .command('rollout')
    .description('show the rollout of a prompt, or change it (reads the revision and sends If-Match)')
    .argument('<slug>')
    .option('--split <pairs>', 'version:weight pairs in order, e.g. 2:5,1:95 (weights are relative)')
    .option('--rule <rule>', 'pin a segment, e.g. tenant=acme:2 or tenant=acme|globex,locale=de-DE:2 (repeatable; replaces the rules)', collect)
    .option('--clear-rules', 'remove every rule')
    .option('--bucket-by <attribute>', 'context attribute to bucket on instead of the targeting key, e.g. sessionId')
    .option('--statsig-experiment <name>', 'take the weights from this Statsig experiment (its config holds {"allocation": [{version, weight}…]})')
    .option('--reason <text>', 'why (required when changing)')
    .action(
      action(async (ctx, slug: string, options: RolloutOptions) => {
        const changing =
          options.split !== undefined || options.rule !== undefined || options.clearRules === true || options.bucketBy !== undefined || options.statsigExperiment !== undefined;
        if (!changing) {
          const current = await ctx.client.get<RolloutView>(`/v1/prompts/${seg(slug)}/rollout`);
          ctx.out.data(current);
          printRollout(ctx, slug, current);
          return;
        }
        const reason = requireReason(options.reason, 'rollout');
        const allocation = options.split === undefined ? undefined : parseSplit(options.split);
        const rules = options.clearRules ? [] : options.rule?.map(parseRule);
        const current = await ctx.client.get<RolloutView>(`/v1/prompts/${seg(slug)}/rollout`);
        const statsigAllocation = options.statsigExperiment !== undefined ? { experiment: options.statsigExperiment } : current.statsigAllocation;
        // Fields not given are kept, except that weights Statsig decides are not sent back (the service reads them).
        const body = {
          ...(allocation !== undefined ? { allocation } : statsigAllocation === undefined ? { allocation: current.allocation } : {}),
          rules: rules ?? current.rules,
          ...((options.bucketBy ?? current.bucketBy) ? { bucketBy: options.bucketBy ?? current.bucketBy } : {}),
          ...(current.shadow !== undefined ? { shadow: current.shadow } : {}),
          ...(statsigAllocation !== undefined ? { statsigAllocation } : {}),
          reason,
        };
        let next: RolloutView;
        try {
          next = (await ctx.client.request<RolloutView>('PUT', `/v1/prompts/${seg(slug)}/rollout`, { body, headers: { 'if-match': `"${current.revision}"` } })).body;
        } catch (error) {
          if (error instanceof ApiError && error.kind === 'conflict') {
            throw new CliError(
              `someone else changed ${slug} since it was read (revision ${current.revision}); nothing was written. ` +
                `Run \`promptflag rollout ${slug}\` to see the current rollout, then try again.`,
              1,
              { code: error.code, readRevision: current.revision },
            );
          }
          throw error;
        }
        ctx.out.data(next);
        ctx.out.line(`${slug} rollout updated (revision ${current.revision} → ${next.revision})`);
        printRollout(ctx, slug, next);
      }),
    );
}

function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

export function describeSplit(rollout: Pick<RolloutView, 'allocation' | 'baseline'>): string {
  const total = rollout.allocation.reduce((sum, a) => sum + a.weight, 0);
  if (rollout.allocation.length === 0 || total === 0) return rollout.baseline === null ? 'nothing in prod' : `100% v${rollout.baseline} (prod baseline)`;
  return rollout.allocation.map((a) => `v${a.version} ${formatPercent((100 * a.weight) / total)}`).join(', ');
}

function formatPercent(p: number): string {
  return `${Number(p.toFixed(p < 1 ? 3 : 2))}%`;
}

export function describeRule(rule: TargetingRule & { name?: string }): string {
  const match = Object.entries(rule.match).map(([k, v]) => `${k}=${v.join('|')}`).join(',');
  return `${rule.name ? `${rule.name}: ` : ''}${match} → v${rule.version}`;
}

function printRollout(ctx: CliContext, slug: string, rollout: RolloutView): void {
  ctx.out.line(`${slug} (revision ${rollout.revision}, prod v${rollout.baseline ?? '-'})`);
  ctx.out.line(`  split:     ${describeSplit(rollout)}`);
  if (rollout.rules.length > 0) for (const rule of rollout.rules) ctx.out.line(`  rule:      ${describeRule(rule)}`);
  if (rollout.bucketBy) ctx.out.line(`  bucket by: ${rollout.bucketBy}`);
  if (rollout.shadow !== undefined) ctx.out.line(`  shadow:    v${rollout.shadow}`);
  if (rollout.statsigAllocation) ctx.out.line(`  weights:   from Statsig experiment ${rollout.statsigAllocation.experiment}`);
  if (rollout.inactive.length > 0) ctx.out.line(`  inactive:  ${rollout.inactive.map((v) => `v${v}`).join(', ')} (no longer serving)`);
  if (rollout.updatedAt) ctx.out.line(`  updated:   ${rollout.updatedAt} by ${rollout.updatedBy ?? '?'}`);
}
