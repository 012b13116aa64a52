import type { VariableDeclaration } from './prompt-version';
import {
  excerpt,
  parseTemplate,
  positionLookup,
  shorten,
  type ParseFailure,
  type SourcePosition,
  type TemplateTokens,
} from './template-tokens';

/** Largest template accepted, in UTF-8 bytes. Checked by the caller (it is a 413, not a lint error). */
export const MAX_TEMPLATE_BYTES = 64 * 1024;
/** Most variables one version may declare. */
export const MAX_VARIABLES = 100;
/** A variable name, declared or used: an identifier, no dots, no spaces. */
export const VARIABLE_NAME_PATTERN = /^[A-Za-z_][A-Za-z0-9_]*$/;

export type LintCode =
  | 'TEMPLATE_PARSE_ERROR'
  | 'UNDECLARED_VARIABLE'
  | 'REQUIRED_VARIABLE_UNUSED'
  | 'OPTIONAL_VARIABLE_UNUSED'
  | 'LOGIC_NOT_ALLOWED'
  | 'INVALID_PLACEHOLDER'
  | 'INVALID_VARIABLE_NAME'
  | 'DUPLICATE_VARIABLE'
  | 'TOO_MANY_VARIABLES';

export interface LintIssue {
  code: LintCode;
  message: string;
  variable?: string;
  /** 1-based line of the offending tag. */
  line?: number;
  /** 1-based column of the offending tag, in UTF-16 code units. */
  column?: number;
  /** 0-based UTF-16 offset of the offending tag. */
  offset?: number;
}

export interface LintReport {
  /** Any error means the template must not be stored or rendered. */
  errors: LintIssue[];
  warnings: LintIssue[];
}

export interface TemplateAnalysis {
  report: LintReport;
  /** mustache's tokens, when the template parsed. */
  tokens?: TemplateTokens;
}

/** Whether the template is over `MAX_TEMPLATE_BYTES` in UTF-8. */
export function exceedsMaxTemplateBytes(template: string): boolean {
  // Cheap exits first: UTF-8 needs at least one byte and at most three per UTF-16 code unit.
  if (template.length > MAX_TEMPLATE_BYTES) return true;
  if (template.length * 3 <= MAX_TEMPLATE_BYTES) return false;
  return Buffer.byteLength(template, 'utf8') > MAX_TEMPLATE_BYTES;
}

/**
 * Checks that a template is a logic-less prompt whose placeholders match its declared variables.
 *
 * Only plain `{{name}}` placeholders and `{{! comments }}` are allowed. Sections, inverted sections, partials,
 * unescaped `{{{x}}}`/`{{&x}}` and set-delimiter tags are refused (`LOGIC_NOT_ALLOWED`), as are dotted or other
 * non-identifier names (`INVALID_PLACEHOLDER`). Every placeholder must be declared, and every required variable
 * used; an unused optional variable is a warning. Errors come in a stable order: declarations, then the template
 * in document order, then unused variables. Does not check the template's size (see `exceedsMaxTemplateBytes`).
 */
export function lintTemplate(template: string, variables: readonly VariableDeclaration[]): LintReport {
  return analyseTemplate(template, variables).report;
}

/** `lintTemplate`, also returning the parsed tokens so a compiler need not parse again. */
export function analyseTemplate(template: string, variables: readonly VariableDeclaration[]): TemplateAnalysis {
  const errors: LintIssue[] = [];
  const warnings: LintIssue[] = [];
  const declared = checkDeclarations(variables, errors);

  const parsed = parseTemplate(template);
  const at = positionLookup(template);
  if (!parsed.ok) {
    errors.push(parseFailureIssue(template, parsed.failure, at));
    return { report: { errors, warnings } };
  }

  const used = new Set<string>();
  checkTokens(parsed.tokens, { template, declared, used, errors, at });

  for (const [name, declaration] of declared) {
    if (used.has(name)) continue;
    if (declaration.required === true) {
      errors.push({
        code: 'REQUIRED_VARIABLE_UNUSED',
        message: `Required variable "${shorten(name)}" is declared but the template never uses it`,
        variable: name,
      });
    } else {
      warnings.push({
        code: 'OPTIONAL_VARIABLE_UNUSED',
        message: `Optional variable "${shorten(name)}" is declared but the template never uses it`,
        variable: name,
      });
    }
  }
  return { report: { errors, warnings }, tokens: parsed.tokens };
}

/** Returns the valid, first-declared variables by name; reports everything else. */
function checkDeclarations(
  variables: readonly VariableDeclaration[],
  errors: LintIssue[],
): Map<string, VariableDeclaration> {
  if (variables.length > MAX_VARIABLES) {
    errors.push({
      code: 'TOO_MANY_VARIABLES',
      message: `Declares ${variables.length} variables; at most ${MAX_VARIABLES} are allowed`,
    });
  }
  const declared = new Map<string, VariableDeclaration>();
  const duplicates = new Set<string>();
  for (const variable of variables) {
    const name: unknown = variable.name;
    if (typeof name !== 'string' || !VARIABLE_NAME_PATTERN.test(name)) {
      errors.push({
        code: 'INVALID_VARIABLE_NAME',
        message:
          `Variable name ${shorten(JSON.stringify(name) ?? String(name))} is invalid; ` +
          `names must match ${VARIABLE_NAME_PATTERN.source}`,
        variable: String(name),
      });
    } else if (declared.has(name)) {
      if (!duplicates.has(name)) {
        duplicates.add(name);
        errors.push({
          code: 'DUPLICATE_VARIABLE',
          message: `Variable "${shorten(name)}" is declared more than once`,
          variable: name,
        });
      }
    } else {
      declared.set(name, variable);
    }
  }
  return declared;
}

interface TokenContext {
  template: string;
  declared: ReadonlyMap<string, VariableDeclaration>;
  used: Set<string>;
  errors: LintIssue[];
  at: (offset: number) => SourcePosition;
}

const REFUSED_CONSTRUCTS: Readonly<Record<string, string>> = {
  '#': 'Sections ({{#name}}…{{/name}})',
  '^': 'Inverted sections ({{^name}}…{{/name}})',
  '>': 'Partials ({{>name}})',
  '&': 'Unescaped placeholders ({{{name}}} or {{&name}})',
  '=': 'Set-delimiter tags ({{=<% %>=}})',
};

function checkTokens(tokens: TemplateTokens, ctx: TokenContext): void {
  for (const token of tokens) {
    const [type, value, start, end] = token;
    if (type === 'text' || type === '!') continue;
    const source = excerpt(ctx.template, start, end);
    const where = ctx.at(start);
    const position = { line: where.line, column: where.column, offset: start };

    if (type === 'name') {
      if (!VARIABLE_NAME_PATTERN.test(value)) {
        ctx.errors.push({
          code: 'INVALID_PLACEHOLDER',
          message: `Placeholder "${source}" at ${describe(where)} is not a plain variable name: ${whyInvalid(value)}`,
          variable: value,
          ...position,
        });
      } else if (!ctx.declared.has(value)) {
        ctx.errors.push({
          code: 'UNDECLARED_VARIABLE',
          message: `Placeholder "${source}" at ${describe(where)} uses "${shorten(value)}", which is not declared`,
          variable: value,
          ...position,
        });
      } else {
        ctx.used.add(value);
      }
      continue;
    }

    const construct = REFUSED_CONSTRUCTS[type] ?? `Tags of type "${type}"`;
    ctx.errors.push({
      code: 'LOGIC_NOT_ALLOWED',
      message: `${construct} are not allowed: prompts are logic-less. Found "${source}" at ${describe(where)}`,
      ...position,
    });
    // A refused tag on a declared variable still counts as a use, so one mistake gives one error.
    if ((type === '#' || type === '^' || type === '&') && ctx.declared.has(value)) ctx.used.add(value);
    const children = token[4];
    if (Array.isArray(children)) checkTokens(children, ctx);
  }
}

function parseFailureIssue(template: string, failure: ParseFailure, at: (offset: number) => SourcePosition): LintIssue {
  const where = failure.offset === undefined ? undefined : at(failure.offset);
  const position = where && { line: where.line, column: where.column, offset: failure.offset };
  if (failure.kind === 'set-delimiter') {
    const source = excerpt(template, failure.offset ?? 0, failure.end ?? template.length);
    return {
      code: 'LOGIC_NOT_ALLOWED',
      message:
        `${REFUSED_CONSTRUCTS['=']} are not allowed: prompts are logic-less. Found "${source}"` +
        `${where ? ` at ${describe(where)}` : ''}; the rest of the template was not checked`,
      ...position,
    };
  }
  return {
    code: 'TEMPLATE_PARSE_ERROR',
    message: `Template does not parse: ${failure.reason}${where ? ` at ${describe(where)}` : ''}`,
    ...position,
  };
}

function whyInvalid(name: string): string {
  if (name === '') return 'the placeholder is empty';
  if (name === '.') return 'the implicit iterator {{.}} is not supported';
  if (name.includes('.')) return 'dotted names are not supported';
  return `names must match ${VARIABLE_NAME_PATTERN.source}`;
}

function describe(where: SourcePosition): string {
  return `line ${where.line}, column ${where.column}`;
}
