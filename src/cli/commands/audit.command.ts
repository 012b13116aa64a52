import type { Command } from 'commander';
import { parsePositiveInt } from '../args';
import type { AuditEntry } from '../../audit/domain/audit-entry';
import { action } from '../context';

export function registerAuditCommand(program: Command): void {
  program
    .command('audit')
    .description('the audit trail, newest first: who changed what, when and why')
    .option('--slug <slug>', 'only this prompt')
    .option('--limit <n>', 'how many entries (at most 500)', '20')
    .action(
      action(async (ctx, options: { slug?: string; limit: string }) => {
        const limit = parsePositiveInt(options.limit, '--limit');
        const { items } = await ctx.client.get<{ items: AuditEntry[] }>('/v1/audit', { query: { slug: options.slug, limit } });
        ctx.out.data({ items });
        if (items.length === 0) {
          ctx.out.line('no audit entries');
          return;
        }
        ctx.out.table(
          items.map((e) => ({ ...e, version: e.version === undefined ? undefined : `v${e.version}` })),
          ['at', 'actor', 'action', 'slug', 'version', 'reason'],
        );
      }),
    );
}
