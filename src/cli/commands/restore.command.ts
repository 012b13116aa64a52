import type { Command } from 'commander';
import { requireReason } from '../args';
import { action, seg } from '../context';
import { UsageError } from '../output';
import type { IncidentResult, KillResult } from '../../killswitch/killswitch.service';
import { killswitchCall } from './kill.command';

export function registerRestoreCommand(program: Command): void {
  program
    .command('restore')
    .description('lift the kill of a prompt: its stored rollout serves again, exactly as before (or --all)')
    .argument('[slug]')
    .option('--all', 'incident-wide: every killed prompt')
    .option('--reason <text>', 'why (required)')
    .action(
      action(async (ctx, slug: string | undefined, options: { all?: boolean; reason?: string }) => {
        const reason = requireReason(options.reason, 'restore');
        if (options.all) {
          if (slug !== undefined) throw new UsageError('give a slug or --all, not both');
          const result = await killswitchCall(ctx, () => ctx.client.post<IncidentResult>('/v1/restore', { reason }));
          ctx.out.data(result);
          for (const r of result.results) ctx.out.line(`${r.slug}: ${r.outcome}${r.message ? ` (${r.message})` : ''}`);
          if (result.results.length === 0) ctx.out.line('nothing was killed');
          return;
        }
        if (slug === undefined) throw new UsageError('restore needs a slug, or --all');
        const view = await killswitchCall(ctx, () => ctx.client.post<KillResult>(`/v1/prompts/${seg(slug)}/restore`, { reason }));
        ctx.out.data(view);
        ctx.out.line(`${slug} restored: its rollout serves again (revision ${view.revision})`);
      }),
    );
}
