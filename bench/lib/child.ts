import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';

/** A message between the orchestrator and a bench child process (over the IPC channel). */
export interface BenchMessage {
  type: string;
  [key: string]: unknown;
}

const TASKSET = '/usr/bin/taskset';

/** Whether children can be pinned to a core with taskset (Linux, at least two cores). */
export function canPin(): boolean {
  return process.platform === 'linux' && existsSync(TASKSET) && availableParallelism() >= 2;
}

export interface ChildOptions {
  /** Pin the child to this core (taskset -c) when pinning is possible. */
  cpu?: number;
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
  /** Child's stdout: inherited by default; `ignore` for children that log a lot. */
  stdout?: 'inherit' | 'ignore';
}

/** A bench child process with a typed message queue. */
export class BenchChild {
  readonly proc: ChildProcess;
  /** process.hrtime.bigint() just before spawn. */
  readonly spawnedAt: bigint;
  readonly pinnedTo: number | undefined;
  readonly exited: Promise<number | null>;
  private readonly queue: BenchMessage[] = [];
  private readonly waiters: { type: string; resolve: (m: BenchMessage) => void; reject: (e: Error) => void }[] = [];
  private exitCode: number | null | undefined;

  constructor(
    readonly script: string,
    args: string[] = [],
    options: ChildOptions = {},
  ) {
    const nodeArgv = [...(options.nodeArgs ?? []), script, ...args];
    const pin = options.cpu !== undefined && canPin() ? options.cpu : undefined;
    this.pinnedTo = pin;
    const [command, argv] = pin !== undefined ? [TASKSET, ['-c', String(pin), process.execPath, ...nodeArgv]] : [process.execPath, nodeArgv];
    this.spawnedAt = process.hrtime.bigint();
    // taskset execs node with the same fds and environment, so node finds the IPC channel (NODE_CHANNEL_FD).
    this.proc = spawn(command, argv, { stdio: ['ignore', options.stdout ?? 'inherit', 'inherit', 'ipc'], env: { ...process.env, ...options.env }, serialization: 'json' });
    this.proc.on('message', (message: BenchMessage) => this.deliver(message));
    this.exited = new Promise((resolve) => {
      this.proc.on('exit', (code, signal) => {
        this.exitCode = code ?? (signal ? -1 : null);
        for (const waiter of this.waiters.splice(0)) {
          waiter.reject(new Error(`${this.script} exited (code ${code}, signal ${signal}) before sending "${waiter.type}"`));
        }
        resolve(code);
      });
    });
  }

  /** The next message of `type` (earlier ones of other types stay queued). An `error` message rejects. */
  next<T extends BenchMessage = BenchMessage>(type: string, timeoutMs = 120_000): Promise<T> {
    const index = this.queue.findIndex((m) => m.type === type || m.type === 'error');
    if (index >= 0) {
      const [message] = this.queue.splice(index, 1);
      return message.type === 'error' ? Promise.reject(new Error(`${this.script}: ${String(message.message)}`)) : Promise.resolve(message as T);
    }
    if (this.exitCode !== undefined) return Promise.reject(new Error(`${this.script} already exited (code ${this.exitCode})`));
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1);
        reject(new Error(`${this.script}: no "${type}" message within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter = {
        type,
        resolve: (m: BenchMessage) => {
          clearTimeout(timer);
          resolve(m as T);
        },
        reject: (e: Error) => {
          clearTimeout(timer);
          reject(e);
        },
      };
      this.waiters.push(waiter);
    });
  }

  send(message: BenchMessage): void {
    this.proc.send(message);
  }

  /** Asks the child to exit (message `stop`), then SIGKILLs it if it has not after `graceMs`. */
  async stop(graceMs = 5000): Promise<void> {
    if (this.exitCode !== undefined) return;
    if (this.proc.connected) this.proc.send({ type: 'stop' });
    const timer = setTimeout(() => this.proc.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }

  private deliver(message: BenchMessage): void {
    const index = this.waiters.findIndex((w) => w.type === message.type || message.type === 'error');
    if (index < 0) {
      this.queue.push(message);
      return;
    }
    const [waiter] = this.waiters.splice(index, 1);
    if (message.type === 'error') waiter.reject(new Error(`${this.script}: ${String(message.message)}`));
    else waiter.resolve(message);
  }
}

// ---- child side -----------------------------------------------------------------------------------------------

/** Sends a message to the orchestrator (no-op when not started by it). */
export function report(message: BenchMessage): Promise<void> {
  return new Promise((resolve) => {
    if (!process.send) return resolve();
    process.send(message, undefined, {}, () => resolve());
  });
}

/** Resolves with the next message of `type` from the orchestrator. */
export function expectMessage(type: string): Promise<BenchMessage> {
  return new Promise((resolve) => {
    const onMessage = (message: BenchMessage) => {
      if (message.type !== type) return;
      process.off('message', onMessage);
      resolve(message);
    };
    process.on('message', onMessage);
  });
}

/** Runs a child's main: reports an `error` message and exits 1 on failure; exits 0 on `stop` or when done. */
export function runChild(main: () => Promise<void>, options: { exitWhenDone?: boolean } = {}): void {
  process.on('message', (message: BenchMessage) => {
    if (message.type === 'stop') process.exit(0);
  });
  process.on('disconnect', () => process.exit(0));
  main().then(
    () => {
      if (options.exitWhenDone ?? true) process.exit(0);
    },
    (error: unknown) => {
      const text = error instanceof Error ? (error.stack ?? error.message) : String(error);
      process.stderr.write(`bench child failed: ${text}\n`);
      void report({ type: 'error', message: error instanceof Error ? error.message : String(error) }).finally(() => process.exit(1));
    },
  );
}
