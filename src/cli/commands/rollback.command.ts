import type { Command } from 'commander';
import { parseVersion, requireReason } from '../args';
import { action, seg } from '../context';
import { killswitchCall } from './kill.command';
import type { PromptVersion } from '../../registry/domain/prompt-version';

export function registerRollbackCommand(program: Command): void {
  program
    .command('rollback')
    .description('re-promote an earlier (deprecated or staging) version to prod for good; the current prod is deprecated')
    .argument('<slug>')
    .argument('<version>')
    .option('--reason <text>', 'why (required)')
    .action(
      action(async (ctx, slug: string, versionText: string, options: { reason?: string }) => {
        const toVersion = parseVersion(versionText);
        const reason = requireReason(options.reason, 'rollback');
        const result = await killswitchCall(ctx, () =>
          ctx.client.post<{ slug: string; version: PromptVersion; previousProd: number | null }>(`/v1/prompts/${seg(slug)}/rollback`, { toVersion, reason }),
        );
        ctx.out.data(result);
        const previous = result.previousProd !== null && result.previousProd !== toVersion ? ` (v${result.previousProd} deprecated)` : '';
        ctx.out.line(`${slug} rolled back: v${result.version.version} is prod${previous}`);
      }),
    );
}
