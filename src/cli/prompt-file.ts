import matter from 'gray-matter';
import type { PromptDraft, VariableDeclaration } from '../registry/domain/prompt-version';
import { lintTemplate, type LintIssue } from '../registry/domain/template-lint';

/** What `push` sends: the body of POST /v1/prompts/:slug/versions. */
export type PromptDraftBody = PromptDraft;

/** A problem in a prompt file, positioned in the file (1-based line and column). */
export interface FileIssue {
  severity: 'error' | 'warning';
  code: string;
  message: string;
  line: number;
  column: number;
}

export interface ParsedPromptFile {
  hasFrontMatter: boolean;
  slug?: string;
  draft?: PromptDraftBody;
  /** Front-matter problems (missing or mistyped fields, YAML that does not parse). */
  problems: FileIssue[];
  /** Where the template starts in the file: 1-based line and column. */
  bodyLine: number;
  bodyColumn: number;
  /** The front matter's lines (file line 2 on), to point at a field or a variable's declaration. */
  frontMatter: string;
}

const SLUG = /^[a-z0-9][a-z0-9-]{1,62}$/;

/**
 * Parses a prompt file: YAML front matter (`slug`, `model`, `rationale`, `variables`, optional `evalHash`) and the
 * template as body. One trailing newline of the body (the one editors add) is not part of the template.
 */
export function parsePromptFile(text: string): ParsedPromptFile {
  const problems: FileIssue[] = [];
  const source = text.replace(/^\uFEFF/, '');
  let parsed: matter.GrayMatterFile<string>;
  try {
    // Options (even empty) turn off gray-matter's cache, which would share results between calls.
    parsed = matter(source, {});
  } catch (error) {
    const mark = (error as { mark?: { line?: number; column?: number } }).mark;
    const reason = (error as { reason?: string }).reason ?? (error as Error).message;
    problems.push({
      severity: 'error',
      code: 'FRONT_MATTER_INVALID',
      message: `front matter is not valid YAML: ${reason}`,
      line: (mark?.line ?? 0) + 1, // gray-matter's text starts with the newline ending the opening ---
      column: (mark?.column ?? 0) + 1,
    });
    return { hasFrontMatter: true, problems, bodyLine: 1, bodyColumn: 1, frontMatter: '' };
  }

  const hasFrontMatter = /^---[ \t]*\r?\n/.test(source) && (parsed.matter !== '' || /^---[ \t]*\r?\n---/.test(source));
  const content = parsed.content;
  const bodyStart = source.endsWith(content) ? source.length - content.length : 0;
  const before = source.slice(0, bodyStart);
  const bodyLine = before.split('\n').length;
  const bodyColumn = bodyStart - (before.lastIndexOf('\n') + 1) + 1;
  const template = content.replace(/\r?\n$/, '');
  // File lines 2 … (closing ---) - 1, so that index i is file line i + 2.
  const frontMatter = hasFrontMatter ? before.split('\n').slice(1, -2).join('\n') : '';
  const base = { hasFrontMatter, problems, bodyLine, bodyColumn, frontMatter };
  if (!hasFrontMatter) {
    problems.push({ severity: 'error', code: 'FRONT_MATTER_MISSING', message: 'no YAML front matter (--- slug: … model: … rationale: … ---)', line: 1, column: 1 });
    return base;
  }

  const data = (parsed.data ?? {}) as Record<string, unknown>;
  const fieldLine = (field: string) => lineOfField(frontMatter, field);
  const problem = (field: string, message: string) =>
    problems.push({ severity: 'error', code: 'FRONT_MATTER_INVALID', message, line: fieldLine(field), column: 1 });

  const slug = data.slug;
  if (typeof slug !== 'string' || !SLUG.test(slug)) problem('slug', `front matter "slug" must match ${SLUG.source}${slug === undefined ? ' (it is missing)' : ''}`);
  const model = data.model ?? data.modelHint;
  if (typeof model !== 'string' || model.trim() === '') problem('model', 'front matter "model" (the dated model id, e.g. gpt-4o-2024-08-06) is missing');
  const rationale = data.rationale;
  if (typeof rationale !== 'string' || rationale.trim() === '') problem('rationale', 'front matter "rationale" (why this version exists) is missing');
  const evalHash = data.evalHash;
  if (evalHash !== undefined && typeof evalHash !== 'string') problem('evalHash', 'front matter "evalHash" must be a string');
  const variables = parseVariables(data.variables, (message) => problem('variables', message));

  if (problems.length > 0 || typeof slug !== 'string' || typeof model !== 'string' || typeof rationale !== 'string') return base;
  return {
    ...base,
    slug,
    draft: { template, variables, modelHint: model.trim(), rationale: rationale.trim(), ...(typeof evalHash === 'string' ? { evalHash } : {}) },
  };
}

function parseVariables(raw: unknown, problem: (message: string) => void): VariableDeclaration[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) {
    problem('front matter "variables" must be a list of {name, required?, description?}');
    return [];
  }
  const variables: VariableDeclaration[] = [];
  for (const [i, item] of raw.entries()) {
    if (typeof item === 'string') {
      variables.push({ name: item });
      continue;
    }
    const v = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    if (typeof v.name !== 'string') {
      problem(`front matter variables[${i}] needs a "name"`);
      continue;
    }
    if (v.required !== undefined && typeof v.required !== 'boolean') problem(`front matter variables[${i}].required must be true or false`);
    if (v.description !== undefined && typeof v.description !== 'string') problem(`front matter variables[${i}].description must be a string`);
    variables.push({
      name: v.name,
      ...(typeof v.required === 'boolean' ? { required: v.required } : {}),
      ...(typeof v.description === 'string' ? { description: v.description } : {}),
    });
  }
  return variables;
}

/** 1-based file line of `field:` in the front matter (which starts on line 2), or 1. */
function lineOfField(frontMatter: string, field: string): number {
  const index = frontMatter.split('\n').findIndex((l) => new RegExp(`^${field}\\s*:`).test(l));
  return index < 0 ? 1 : index + 2;
}

/** 1-based file line declaring a variable, else the `variables:` line, else 1. */
function lineOfVariable(frontMatter: string, name: string): number {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const lines = frontMatter.split('\n');
  const index = lines.findIndex((l) => new RegExp(`(name\\s*:\\s*|^\\s*-\\s*)["']?${escaped}["']?\\s*(,|}|$)`).test(l));
  return index < 0 ? lineOfField(frontMatter, 'variables') : index + 2;
}

/** Moves a template lint issue to its place in the file. */
export function toFileIssue(parsed: ParsedPromptFile, issue: LintIssue, severity: 'error' | 'warning'): FileIssue {
  if (issue.line !== undefined && issue.column !== undefined) {
    return {
      severity,
      code: issue.code,
      message: issue.message,
      line: parsed.bodyLine + issue.line - 1,
      column: issue.line === 1 ? parsed.bodyColumn + issue.column - 1 : issue.column,
    };
  }
  const line = issue.variable !== undefined ? lineOfVariable(parsed.frontMatter, issue.variable) : 1;
  return { severity, code: issue.code, message: issue.message, line, column: 1 };
}

/** Lints a prompt file locally with the service's own template lint. */
export function lintPromptFile(text: string): { parsed: ParsedPromptFile; issues: FileIssue[] } {
  const parsed = parsePromptFile(text);
  if (!parsed.draft) return { parsed, issues: parsed.problems };
  const report = lintTemplate(parsed.draft.template, parsed.draft.variables);
  return { parsed, issues: issuesOf(parsed, report) };
}

export function issuesOf(parsed: ParsedPromptFile, report: { errors: LintIssue[]; warnings: LintIssue[] }): FileIssue[] {
  return [...report.errors.map((i) => toFileIssue(parsed, i, 'error')), ...report.warnings.map((i) => toFileIssue(parsed, i, 'warning'))].sort(
    (a, b) => a.line - b.line || a.column - b.column,
  );
}

/** `file:line:col severity CODE message` */
export function formatIssue(file: string, issue: FileIssue): string {
  return `${file}:${issue.line}:${issue.column} ${issue.severity} ${issue.code} ${issue.message}`;
}

/** A GitHub Actions workflow command: `::error file=…,line=…,col=…::message`. */
export function githubAnnotation(file: string, issue: FileIssue): string {
  const property = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A').replace(/:/g, '%3A').replace(/,/g, '%2C');
  const data = (v: string) => v.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
  return `::${issue.severity} file=${property(file)},line=${issue.line},col=${issue.column},title=${property(issue.code)}::${data(issue.message)}`;
}
