import { Redis, type RedisOptions } from 'ioredis';

export interface RedisClientOptions {
  /** Every command fails after this long. Also bounds commands whose connection died under them. */
  commandTimeoutMs: number;
  /** @default max(commandTimeoutMs, 1000) */
  connectTimeoutMs?: number;
  /** Connection errors; ioredis would print them to stderr when nobody listens. */
  onError?: (error: Error) => void;
}

const MAX_RECONNECT_DELAY_MS = 2000;

/**
 * A fail-fast client for commands: no offline queue (a command issued while disconnected fails at once), no resend of
 * in-flight commands after a reconnect (a resent write could run twice), a timeout on every command. It keeps
 * reconnecting forever with capped backoff, so the store recovers on its own once Redis is back.
 */
export function createRedisClient(url: string, options: RedisClientOptions): Redis {
  return withErrorListener(
    new Redis(url, {
      ...reconnecting(options),
      enableOfflineQueue: false,
      commandTimeout: options.commandTimeoutMs,
      maxRetriesPerRequest: 1,
      autoResendUnfulfilledCommands: false,
    }),
    options.onError,
  );
}

/**
 * The pub/sub connection. Unlike the command client it queues while offline and re-subscribes after every reconnect,
 * so a subscription survives a Redis restart.
 */
export function createRedisSubscriber(url: string, options: Partial<RedisClientOptions> = {}): Redis {
  return withErrorListener(
    new Redis(url, {
      ...reconnecting({ commandTimeoutMs: options.commandTimeoutMs ?? 1000, ...options }),
      enableOfflineQueue: true,
      autoResubscribe: true,
      maxRetriesPerRequest: null,
    }),
    options.onError,
  );
}

/** Resolves once the client is ready; rejects after `timeoutMs` (the client keeps trying). */
export function waitUntilReady(client: Redis, timeoutMs: number): Promise<void> {
  if (client.status === 'ready') return Promise.resolve();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      client.off('ready', onReady);
      reject(new Error(`Redis was not ready within ${timeoutMs} ms (status: ${client.status})`));
    }, timeoutMs);
    const onReady = (): void => {
      clearTimeout(timer);
      resolve();
    };
    client.once('ready', onReady);
  });
}

/** QUIT, or drop the socket when Redis does not answer. */
export async function closeRedisClient(client: Redis): Promise<void> {
  if (client.status === 'end') return;
  try {
    if (client.status !== 'ready') throw new Error('not connected');
    await client.quit();
  } catch {
    client.disconnect();
  }
}

function reconnecting(options: RedisClientOptions): RedisOptions {
  return {
    connectTimeout: options.connectTimeoutMs ?? Math.max(options.commandTimeoutMs, 1000),
    retryStrategy: (times) => Math.min(50 * 2 ** Math.min(times, 6), MAX_RECONNECT_DELAY_MS) + Math.floor(Math.random() * 100),
  };
}

function withErrorListener(client: Redis, onError: ((error: Error) => void) | undefined): Redis {
  client.on('error', onError ?? (() => undefined));
  return client;
}
