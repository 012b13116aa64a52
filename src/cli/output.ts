import { ApiError, EXIT, exitCodeFor } from './api-client';

/** A failure the CLI itself decides (bad arguments, a refused or unconfirmed operation), with its exit code. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.FAILED,
    readonly data?: Record<string, unknown>,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.USAGE);
  }
}

/** Writes either human lines and tables, or (with `--json`) one JSON document and nothing else. */
export class Output {
  constructor(
    readonly json: boolean,
    private readonly stdout: (text: string) => void = (t) => process.stdout.write(t),
    private readonly stderr: (text: string) => void = (t) => process.stderr.write(t),
  ) {}

  /** A human line; ignored in JSON mode. */
  line(text = ''): void {
    if (!this.json) this.stdout(`${text}\n`);
  }

  /** A human line on stderr (warnings, hints); ignored in JSON mode. */
  note(text: string): void {
    if (!this.json) this.stderr(`${text}\n`);
  }

  /** Always printed: machine-readable lines such as GitHub Actions annotations or `file:line:col` lint results. */
  raw(text: string): void {
    this.stdout(`${text}\n`);
  }

  /** The JSON document of a command; ignored in human mode. */
  data(value: unknown): void {
    if (this.json) this.stdout(`${JSON.stringify(value, null, 2)}\n`);
  }

  table(rows: readonly Record<string, unknown>[], columns: readonly string[]): void {
    if (this.json) return;
    this.stdout(formatTable(rows, columns));
  }

  /** Reports a failure: a message on stderr, or `{"error": …}` on stderr in JSON mode. */
  error(error: unknown): number {
    const { exitCode, payload, message } = describeError(error);
    if (this.json) this.stderr(`${JSON.stringify({ error: payload })}\n`);
    else this.stderr(`promptflag: ${message}\n`);
    return exitCode;
  }
}

export function describeError(error: unknown): { exitCode: number; message: string; payload: Record<string, unknown> } {
  if (error instanceof ApiError) {
    const extra = error.kind === 'unprocessable' ? formatDetails(error.details, error.message) : '';
    return {
      exitCode: exitCodeFor(error),
      message: `${error.message}${extra}`,
      payload: { kind: error.kind, status: error.status, code: error.code, message: error.message, details: error.details },
    };
  }
  if (error instanceof CliError) {
    return { exitCode: error.exitCode, message: error.message, payload: { kind: error.exitCode === EXIT.USAGE ? 'usage' : 'failed', message: error.message, ...error.data } };
  }
  const message = error instanceof Error ? error.message : String(error);
  return { exitCode: EXIT.FAILED, message, payload: { kind: 'failed', message } };
}

/** 422 details as indented lines: lint errors, rollout problems or validation fields. */
function formatDetails(details: Record<string, unknown> | undefined, message: string): string {
  if (!details) return '';
  const lines: string[] = [];
  for (const key of ['errors', 'problems', 'fields']) {
    const list = details[key];
    if (!Array.isArray(list)) continue;
    for (const item of list as Record<string, unknown>[]) {
      const where = item.line !== undefined ? ` (line ${String(item.line)}, column ${String(item.column)})` : '';
      if (item.line === undefined && message.includes(String(item.message))) continue; // already in the message
      const label = item.code ?? item.field ?? '';
      lines.push(`  - ${label ? `${String(label)}: ` : ''}${String(item.message)}${where}`);
    }
  }
  return lines.length > 0 ? `\n${lines.join('\n')}` : '';
}

export function formatTable(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((r) => r[i].length)));
  const render = (values: string[]) => values.map((v, i) => (i === values.length - 1 ? v : v.padEnd(widths[i]))).join('  ').trimEnd();
  return [render(columns.map((c) => c.toUpperCase())), ...cells.map(render)].join('\n') + '\n';
}

function cell(value: unknown): string {
  if (value === undefined || value === null) return '-';
  if (typeof value === 'object') return JSON.stringify(value);
  const text = String(value).replace(/\s+/g, ' ');
  return text.length > 60 ? `${text.slice(0, 59)}…` : text;
}
