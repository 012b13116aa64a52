import { Option, type Command } from 'commander';
import { parseVersion, requireReason } from '../args';
import { action, seg } from '../context';
import type { PromptVersion } from '../../registry/domain/prompt-version';

export function registerPromoteCommand(program: Command): void {
  program
    .command('promote')
    .description('move a version to staging or prod (promoting to prod deprecates the previous prod)')
    .argument('<slug>')
    .argument('<version>')
    .addOption(new Option('--to <status>', 'the new status').choices(['staging', 'prod']).makeOptionMandatory())
    .option('--reason <text>', 'why (goes into the audit trail)')
    .action(
      action(async (ctx, slug: string, versionText: string, options: { to: string; reason?: string }) => {
        const version = parseVersion(versionText);
        const reason = requireReason(options.reason, 'promote');
        const result = await ctx.client.post<PromptVersion>(`/v1/prompts/${seg(slug)}/versions/${version}/status`, { status: options.to, reason });
        ctx.out.data(result);
        ctx.out.line(`${result.slug} v${result.version} is now ${result.status}`);
      }),
    );
}
