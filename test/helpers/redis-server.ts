import { type ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer } from 'node:net';

export interface RedisServerOptions {
  /** @default a free port */
  port?: number;
  /** Extra or overriding redis.conf directives, e.g. `{ appendonly: 'yes', appendfsync: 'always', dir: tmp }`. */
  config?: Record<string, string>;
  /** @default 10000 */
  startTimeoutMs?: number;
}

/** Throwaway server: no RDB snapshots, no AOF, loopback only. */
const DEFAULT_CONFIG: Record<string, string> = { save: '', appendonly: 'no', bind: '127.0.0.1', daemonize: 'no' };

/**
 * A `redis-server` child process for tests: started on a free port, killable with SIGKILL and restartable on the same
 * port and directory (for durability tests).
 */
export class RedisServer {
  private child: ChildProcess | null = null;
  private output = '';

  private constructor(
    readonly port: number,
    private readonly config: Record<string, string>,
    private readonly startTimeoutMs: number,
  ) {}

  static async start(options: RedisServerOptions = {}): Promise<RedisServer> {
    for (let attempt = 1; ; attempt++) {
      const server = new RedisServer(options.port ?? (await freePort()), { ...DEFAULT_CONFIG, ...options.config }, options.startTimeoutMs ?? 10_000);
      try {
        await server.launch();
        return server;
      } catch (error) {
        // Another process may take a free port between our probe and redis's bind.
        if (options.port !== undefined || attempt >= 3 || !server.output.includes('Address already in use')) throw error;
      }
    }
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** kill -9: no shutdown, no final fsync. Resolves once the process is gone. */
  kill(): Promise<void> {
    return this.signal('SIGKILL');
  }

  /** Starts it again on the same port with the same configuration (and so the same data directory). */
  async restart(): Promise<void> {
    if (this.child) await this.kill();
    await this.launch();
  }

  /** Graceful stop (SIGTERM), then SIGKILL if it lingers. */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child) return;
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await this.signal('SIGTERM');
    clearTimeout(timer);
  }

  private async launch(): Promise<void> {
    const args = ['--port', String(this.port), ...Object.entries(this.config).flatMap(([key, value]) => [`--${key}`, value])];
    const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    this.child = child;
    this.output = '';
    const capture = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString()).slice(-4000);
    };
    child.stdout?.on('data', capture);
    child.stderr?.on('data', capture);
    const exited = new Promise<never>((_, reject) => {
      child.once('error', (error) => reject(new Error(`cannot run redis-server (is it installed?): ${error.message}`)));
      child.once('exit', (code, signal) => reject(new Error(`redis-server exited (${code ?? signal}) while starting:\n${this.output}`)));
    });
    exited.catch(() => undefined);
    try {
      await Promise.race([waitForPong(this.port, this.startTimeoutMs), exited]);
    } catch (error) {
      child.kill('SIGKILL');
      this.child = null;
      throw error;
    }
    // A test run that dies through process.exit skips global teardown; never leave a server behind.
    const killOnExit = (): void => {
      child.kill('SIGKILL');
    };
    process.once('exit', killOnExit);
    child.once('exit', () => {
      process.off('exit', killOnExit);
      if (this.child === child) this.child = null;
    });
  }

  private signal(signal: NodeJS.Signals): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) {
      this.child = null;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill(signal);
      this.child = null;
    });
  }
}

/** A port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/** Polls with a raw PING until the server answers PONG (it answers LOADING while it replays its AOF). */
export async function waitForPong(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  while (Date.now() < deadline) {
    last = await pingOnce(port).catch((error: Error) => error.message);
    if (last === '+PONG') return;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`redis on port ${port} did not answer PING within ${timeoutMs} ms (last: ${last})`);
}

function pingOnce(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.setTimeout(500, () => socket.destroy(new Error('timeout')));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.end();
        resolve(reply.split('\r\n')[0]);
      }
    });
    socket.once('error', reject);
  });
}

/** The Redis the tests use: REDIS_URL, or the throwaway server the jest global setup started and exported there. */
export function requireRedisUrl(): string {
  const url = process.env.REDIS_URL;
  if (!url) throw new Error('REDIS_URL is not set: the jest global setup should have started a redis-server');
  return url;
}
