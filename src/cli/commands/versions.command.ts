import type { Command } from 'commander';
import { parsePositiveInt } from '../args';
import type { PromptVersion } from '../../registry/domain/prompt-version';
import type { PromptRegistryService } from '../../registry/prompt-registry.service';
import { action, seg } from '../context';

export type VersionPage = Awaited<ReturnType<PromptRegistryService['listVersions']>>;

export function registerVersionsCommand(program: Command): void {
  program
    .command('versions')
    .description('list the versions of a prompt, newest first')
    .argument('<slug>')
    .option('--limit <n>', 'how many (at most 100)', '20')
    .action(
      action(async (ctx, slug: string, options: { limit: string }) => {
        const limit = parsePositiveInt(options.limit, '--limit');
        const page = await ctx.client.get<VersionPage>(`/v1/prompts/${seg(slug)}/versions`, { query: { limit } });
        ctx.out.data(page);
        ctx.out.table(
          page.items.map((v) => ({ ...v, hash: `sha256:${v.contentHash.slice(0, 12)}`, created: v.createdAt })),
          ['version', 'status', 'modelHint', 'hash', 'author', 'created', 'rationale'],
        );
        if (page.total > page.items.length) ctx.out.line(`(${page.items.length} of ${page.total}; --limit for more)`);
      }),
    );
}
