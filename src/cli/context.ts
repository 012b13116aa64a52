import type { Command } from 'commander';
import { ApiClient, DEFAULT_TIMEOUT_MS, DEFAULT_URL } from './api-client';
import { Output, UsageError } from './output';

export interface GlobalOptions {
  url?: string;
  key?: string;
  json?: boolean;
  timeout?: string;
}

/** What a command runs with: where to print, how to call the service, and the exit code it settles on. */
export class CliContext {
  exitCode = 0;
  private clientInstance?: ApiClient;

  constructor(
    readonly out: Output,
    private readonly options: GlobalOptions,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  static from(command: Command, env: NodeJS.ProcessEnv = process.env): CliContext {
    const options = command.optsWithGlobals<GlobalOptions>();
    return new CliContext(new Output(options.json === true), options, env);
  }

  get client(): ApiClient {
    if (!this.clientInstance) {
      const timeoutMs = this.options.timeout === undefined ? DEFAULT_TIMEOUT_MS : Number(this.options.timeout);
      if (!Number.isInteger(timeoutMs) || timeoutMs < 1) throw new UsageError(`--timeout must be a positive number of milliseconds (got ${this.options.timeout})`);
      const baseUrl = this.options.url ?? this.env.PROMPTFLAG_URL ?? DEFAULT_URL;
      try {
        new URL(baseUrl);
      } catch {
        throw new UsageError(`--url must be an http(s) URL (got ${baseUrl})`);
      }
      this.clientInstance = new ApiClient({ baseUrl, key: this.options.key ?? this.env.PROMPTFLAG_KEY, timeoutMs });
    }
    return this.clientInstance;
  }

  /** Marks the run as failed without printing an error (the command printed its own result). */
  fail(exitCode: number): void {
    this.exitCode = Math.max(this.exitCode, exitCode);
  }
}

/** Wraps a command action: gives it a context and settles the process exit code. */
export function action<A extends unknown[]>(run: (ctx: CliContext, ...args: A) => Promise<void>) {
  return async (...args: unknown[]): Promise<void> => {
    const command = args[args.length - 1] as Command;
    const ctx = CliContext.from(command);
    try {
      await run(ctx, ...(args.slice(0, -1) as A));
      process.exitCode = ctx.exitCode;
    } catch (error) {
      process.exitCode = ctx.out.error(error);
    }
  };
}

/** `encodeURIComponent` for a path segment. */
export function seg(value: string | number): string {
  return encodeURIComponent(String(value));
}
