import type { Command } from 'commander';
import { parsePositiveInt } from '../args';
import { action, seg } from '../context';

export interface VersionSummary {
  slug: string;
  version: number;
  status: string;
  modelHint: string;
  contentHash: string;
  author: string;
  createdAt: string;
  rationale: string;
}

export interface VersionPage {
  items: VersionSummary[];
  total: number;
  offset: number;
  limit: number;
}

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
