import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { action, type CliContext } from '../context';
import { CliError } from '../output';
import { type FileIssue, formatIssue, githubAnnotation, issuesOf, lintPromptFile, parsePromptFile } from '../prompt-file';
import type { LintIssue } from '../../registry/domain/template-lint';

interface LintOptions {
  remote?: boolean;
}

export function registerLintCommand(program: Command): void {
  program
    .command('lint')
    .description(
      'lint a prompt file, or every *.prompt.md (and *.md with front matter) under a directory, with the service\'s own template lint; ' +
        'no service needed unless --remote. Prints file:line:col severity CODE message; with GITHUB_ACTIONS=true also ::error annotations. Exit 1 on any error',
    )
    .argument('<path>', 'a file or a directory')
    .option('--remote', 'lint through the service (POST /v1/lint) instead of locally')
    .action(
      action(async (ctx, path: string, options: LintOptions) => {
        const files = findPromptFiles(path);
        if (files.length === 0) throw new CliError(`no prompt files (*.prompt.md, or *.md with front matter) under ${path}`);
        const results: { file: string; issues: FileIssue[] }[] = [];
        for (const file of files) results.push({ file, issues: await lintFile(ctx, file, options.remote === true) });

        const annotate = ctx.env.GITHUB_ACTIONS === 'true';
        let errors = 0;
        let warnings = 0;
        for (const { file, issues } of results) {
          for (const issue of issues) {
            if (issue.severity === 'error') errors++;
            else warnings++;
            if (!ctx.out.json) ctx.out.raw(formatIssue(file, issue));
            if (annotate) ctx.out.raw(githubAnnotation(file, issue));
          }
        }
        ctx.out.data({ ok: errors === 0, errors, warnings, files: results });
        ctx.out.line(`${results.length} file(s): ${errors} error(s), ${warnings} warning(s)`);
        if (errors > 0) ctx.fail(1);
      }),
    );
}

async function lintFile(ctx: CliContext, file: string, remote: boolean): Promise<FileIssue[]> {
  const text = readFileSync(file, 'utf8');
  if (!remote) return lintPromptFile(text).issues;
  const parsed = parsePromptFile(text);
  if (!parsed.draft) return parsed.problems;
  try {
    const report = await ctx.client.post<{ errors: LintIssue[]; warnings: LintIssue[] }>('/v1/lint', {
      template: parsed.draft.template,
      variables: parsed.draft.variables,
    });
    return issuesOf(parsed, report);
  } catch (error) {
    const details = error instanceof ApiError && error.code === 'LINT_FAILED' ? (error.details as { errors?: LintIssue[]; warnings?: LintIssue[] } | undefined) : undefined;
    if (!details) throw error;
    return issuesOf(parsed, { errors: details.errors ?? [], warnings: details.warnings ?? [] });
  }
}

/** The file itself, or the prompt files under a directory (recursively, skipping dot folders and node_modules), sorted. */
export function findPromptFiles(path: string): string[] {
  let stat;
  try {
    stat = statSync(path);
  } catch {
    throw new CliError(`no such file or directory: ${path}`);
  }
  if (stat.isFile()) return [path];
  const found: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!entry.name.startsWith('.') && entry.name !== 'node_modules') walk(full);
      } else if (entry.name.endsWith('.prompt.md')) {
        found.push(full);
      } else if (entry.name.endsWith('.md') && /^\uFEFF?---[ \t]*\r?\n/.test(readFileSync(full, 'utf8').slice(0, 16))) {
        found.push(full);
      }
    }
  };
  walk(path);
  return found.map((f) => (relative(process.cwd(), f).startsWith('..') ? f : relative(process.cwd(), f)));
}
