import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import type { PromptVersion } from '../../registry/domain/prompt-version';
import type { LintIssue } from '../../registry/domain/template-lint';
import { action, seg } from '../context';

type CreatedVersion = PromptVersion & { warnings?: LintIssue[] };
import { CliError } from '../output';
import { formatIssue, parsePromptFile } from '../prompt-file';
import { sha256Hex } from '../../common/domain/canonical-hash';

export function registerPushCommand(program: Command): void {
  program
    .command('push')
    .description('create a version from a template file with YAML front matter (slug, model, rationale, variables, evalHash?)')
    .argument('<file>', 'the prompt file, e.g. prompts/support-triage.prompt.md')
    .action(
      action(async (ctx, file: string) => {
        const bytes = readFile(file);
        const parsed = parsePromptFile(bytes.toString('utf8'));
        if (!parsed.draft || !parsed.slug) {
          throw new CliError(`${file} is not a valid prompt file:\n${parsed.problems.map((p) => `  ${formatIssue(file, p)}`).join('\n')}`, 1, {
            problems: parsed.problems,
          });
        }
        // The same file always sends the same key, so a retried push creates one version.
        const idempotencyKey = `push-${sha256Hex(bytes)}`;
        const response = await ctx.client.request<CreatedVersion>('POST', `/v1/prompts/${seg(parsed.slug)}/versions`, {
          body: parsed.draft,
          headers: { 'idempotency-key': idempotencyKey },
        });
        const created = response.headers.get('idempotent-replayed') !== 'true';
        const v = response.body;
        const warnings = v.warnings ?? [];
        ctx.out.data({ ...v, created });
        ctx.out.line(`${v.slug} v${v.version} ${created ? 'created' : 'already exists'} (${v.status}) sha256:${v.contentHash.slice(0, 12)}`);
        for (const w of warnings) ctx.out.line(`  warning ${w.code} ${w.message}`);
      }),
    );
}

function readFile(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new CliError(`cannot read ${file}: ${(error as Error).message}`);
  }
}
