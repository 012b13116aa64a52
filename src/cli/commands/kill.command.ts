import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { parseVersion, requireReason } from '../args';
import type { IncidentResult, KillResult } from '../../killswitch/killswitch.service';
import { action, type CliContext, seg } from '../context';

import { CliError, UsageError } from '../output';

export interface Confirmation {
  confirmed: boolean;
  expected: number;
  served: number | null;
  targetingKey: string;
}

/** How long to keep re-resolving for the kill to show up (replicas apply it through the change feed). */
const CONFIRM_WITHIN_MS = 5_000;

export function registerKillCommand(program: Command): void {
  program
    .command('kill')
    .description('serve one safe version of a prompt to everyone, now, then confirm it by resolving (or --all: every prompt)')
    .argument('[slug]')
    .option('--all', 'incident-wide: every prompt with a prod (or former prod) version')
    .option('--to <version>', 'the safe version (staging, prod or deprecated); default: prod, else the last prod')
    .option('--reason <text>', 'why, e.g. the incident id (required)')
    .action(
      action(async (ctx, slug: string | undefined, options: { all?: boolean; to?: string; reason?: string }) => {
        const reason = requireReason(options.reason, 'kill');
        if (options.all) {
          if (slug !== undefined) throw new UsageError('give a slug or --all, not both');
          if (options.to !== undefined) throw new UsageError('--to applies to one prompt, not --all');
          const result = await killswitchCall(ctx, () => ctx.client.post<IncidentResult>('/v1/kill', { reason }));
          const confirmations: Record<string, Confirmation> = {};
          for (const r of result.results) if (r.kill) confirmations[r.slug] = await confirmServed(ctx, r.slug, r.kill.toVersion);
          const unconfirmed = Object.entries(confirmations).filter(([, c]) => !c.confirmed);
          ctx.out.data({ ...result, confirmations, confirmed: unconfirmed.length === 0 });
          for (const r of result.results) {
            const c = confirmations[r.slug];
            const check = c ? (c.confirmed ? ' (confirmed)' : ` NOT CONFIRMED: resolve served v${c.served ?? '?'}`) : '';
            ctx.out.line(`${r.slug}: ${r.outcome}${r.kill ? ` → v${r.kill.toVersion}` : ''}${r.message ? ` (${r.message})` : ''}${check}`);
          }
          if (unconfirmed.length > 0) {
            ctx.out.note(`promptflag: the kill is stored but ${unconfirmed.length} prompt(s) do not serve the safe version yet: ${unconfirmed.map(([s]) => s).join(', ')}`);
            ctx.fail(1);
          }
          return;
        }
        if (slug === undefined) throw new UsageError('kill needs a slug, or --all');
        const toVersion = options.to === undefined ? undefined : parseVersion(options.to, '--to');
        const view = await killswitchCall(ctx, () =>
          ctx.client.post<KillResult>(`/v1/prompts/${seg(slug)}/kill`, { reason, ...(toVersion !== undefined ? { toVersion } : {}) }),
        );
        const expected = view.kill?.toVersion;
        if (expected === undefined) throw new CliError(`the service answered the kill of ${slug} without a kill state; check \`promptflag status ${slug}\``);
        const confirmation = await confirmServed(ctx, slug, expected);
        ctx.out.data({ ...view, confirmation });
        const was = view.changed === false ? ' (already killed)' : '';
        if (confirmation.confirmed) {
          ctx.out.line(`${slug} killed${was}: everyone now gets v${expected} (confirmed: resolve served v${confirmation.served})`);
        } else {
          ctx.out.line(`${slug} killed${was}: safe version v${expected} is stored`);
          ctx.out.note(`promptflag: NOT CONFIRMED: resolve still served v${confirmation.served ?? '?'} after ${CONFIRM_WITHIN_MS / 1000}s (expected v${expected})`);
          ctx.fail(1);
        }
      }),
    );
}

/** Resolves with a synthetic targeting key until the served version is the safe one, or time runs out. */
export async function confirmServed(ctx: CliContext, slug: string, expected: number): Promise<Confirmation> {
  const targetingKey = `promptflag-cli-confirm-${randomUUID()}`;
  const deadline = Date.now() + CONFIRM_WITHIN_MS;
  let served: number | null = null;
  for (;;) {
    try {
      served = (await ctx.client.post<{ version: number }>(`/v1/prompts/${seg(slug)}/resolve`, { targetingKey })).version;
    } catch (error) {
      if (!(error instanceof ApiError) || Date.now() > deadline) throw error;
    }
    if (served === expected || Date.now() > deadline) return { confirmed: served === expected, expected, served, targetingKey };
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A 404 for the route itself means the service predates the kill switch. */
export async function killswitchCall<T>(ctx: CliContext, call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof ApiError && error.kind === 'not-found' && error.routeMissing) {
      throw new CliError(`this server does not support the kill switch (${ctx.client.baseUrl} has no kill/restore endpoints); upgrade it`, 1, {
        code: 'KILLSWITCH_UNSUPPORTED',
      });
    }
    throw error;
  }
}
