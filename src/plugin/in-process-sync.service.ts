import * as grpc from '@grpc/grpc-js';
import { FlagdCore } from '@openfeature/flagd-core';
import { GeneralError, type EvaluationContext, type JsonValue, type Logger, type ResolutionDetails } from '@openfeature/server-sdk';
import { FLAGD_SELECTOR_HEADER, flagSyncService, type FlagSyncServiceClient, type SyncFlagsResponse } from '../sync/flag-sync.proto';

export interface InProcessSyncOptions {
  host: string;
  port: number;
  /** Sent as `authorization: Bearer <apiKey>` gRPC metadata on every sync call. */
  apiKey?: string;
  selector?: string;
  tls: boolean;
  connectTimeoutMs: number;
  retryBackoffMs: number;
  retryBackoffMaxMs: number;
  providerId: string;
}

type ServiceType = 'boolean' | 'string' | 'number' | 'object';

/**
 * The in-process half of `@openfeature/flagd-provider`, with credentials: the stock provider (0.16.1) sends only
 * the `flagd-selector` header on its sync stream, so it cannot authenticate to a sync port that requires a key.
 * This service is handed to `new FlagdProvider(options, logger, service)`, which keeps its own state machine (READY,
 * STALE, ERROR after the grace period, events); flags are evaluated by flagd-core exactly as in the stock provider.
 *
 * Structurally implements the provider's (unexported) `Service` interface.
 */
export class InProcessSyncService {
  private readonly core: FlagdCore;
  private readonly client: FlagSyncServiceClient;
  private readonly metadata = new grpc.Metadata();
  private stream?: grpc.ClientReadableStream<SyncFlagsResponse>;
  private retryTimer?: NodeJS.Timeout;
  private backoffMs: number;
  private closed = false;
  private connected = false;
  private pendingConnect?: { resolve: () => void; reject: (error: Error) => void; deadline: number };
  private callbacks?: { reconnected: () => void; changed: (flags: string[]) => void; disconnected: (message: string) => void };

  constructor(
    private readonly options: InProcessSyncOptions,
    private readonly logger?: Logger,
  ) {
    this.core = new FlagdCore(undefined, logger);
    const { Client } = flagSyncService();
    const credentials = options.tls ? grpc.credentials.createSsl() : grpc.credentials.createInsecure();
    this.client = new Client(`${options.host}:${options.port}`, credentials, {
      'grpc.keepalive_time_ms': 30_000,
      'grpc.keepalive_timeout_ms': 10_000,
      'grpc.initial_reconnect_backoff_ms': options.retryBackoffMs,
      'grpc.max_reconnect_backoff_ms': options.retryBackoffMaxMs,
      'grpc.max_receive_message_length': 64 * 1024 * 1024,
    });
    if (options.apiKey) this.metadata.set('authorization', `Bearer ${options.apiKey}`);
    if (options.selector) this.metadata.set(FLAGD_SELECTOR_HEADER, options.selector);
    this.backoffMs = options.retryBackoffMs;
  }

  /**
   * Resolves on the first document. Rejects when the service refuses the stream (e.g. UNAUTHENTICATED), or is still
   * unreachable after connectTimeoutMs; reconnecting continues in the background until `disconnect`.
   */
  connect(reconnected: () => void, changed: (flags: string[]) => void, disconnected: (message: string) => void): Promise<void> {
    this.callbacks = { reconnected, changed, disconnected };
    return new Promise((resolve, reject) => {
      this.pendingConnect = { resolve, reject, deadline: Date.now() + this.options.connectTimeoutMs };
      this.listen();
    });
  }

  async disconnect(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.stream?.cancel();
    this.stream = undefined;
    this.client.close();
  }

  clearCache(): void {
    // Nothing cached: flags are evaluated in memory.
  }

  resolveBoolean(flagKey: string, defaultValue: boolean, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<boolean>> {
    return this.resolve('boolean', flagKey, defaultValue, context, logger);
  }

  resolveString(flagKey: string, defaultValue: string, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<string>> {
    return this.resolve('string', flagKey, defaultValue, context, logger);
  }

  resolveNumber(flagKey: string, defaultValue: number, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<number>> {
    return this.resolve('number', flagKey, defaultValue, context, logger);
  }

  resolveObject<T extends JsonValue>(flagKey: string, defaultValue: T, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<T>> {
    return this.resolve('object', flagKey, defaultValue, context, logger);
  }

  private async resolve<T extends JsonValue>(type: ServiceType, flagKey: string, defaultValue: T, context: EvaluationContext, logger: Logger): Promise<ResolutionDetails<T>> {
    return this.core.resolve(type, flagKey, defaultValue, context, logger);
  }

  /**
   * Opens the stream without `waitForReady`: a call on a channel that cannot connect fails fast with UNAVAILABLE and
   * is retried with backoff. (A pending `waitForReady` can leave grpc-js's deadline timer running after the client
   * is closed, holding the process open at shutdown.)
   */
  private listen(): void {
    if (this.closed) return;
    const stream = this.client.SyncFlags({ providerId: this.options.providerId, selector: this.options.selector ?? '' }, this.metadata);
    this.stream = stream;
    stream.on('data', (message: SyncFlagsResponse) => this.receive(message));
    stream.on('error', () => undefined); // reported through 'status'
    stream.on('status', (status: grpc.StatusObject) => {
      if (this.stream !== stream) return;
      this.stream = undefined;
      this.fail(status.code, `sync stream from ${this.options.host}:${this.options.port} ended: ${grpc.status[status.code]} ${status.details}`);
    });
  }

  private receive(message: SyncFlagsResponse): void {
    let changed: string[];
    try {
      changed = this.core.setConfigurations(message.flagConfiguration);
    } catch (error) {
      // Keep the last good document; the next message replaces the whole set anyway.
      this.logger?.warn(`promptflag: ignoring a flag document that does not parse: ${(error as Error).message}`);
      return;
    }
    this.backoffMs = this.options.retryBackoffMs;
    const pending = this.pendingConnect;
    if (pending) {
      this.pendingConnect = undefined;
      this.connected = true;
      pending.resolve();
      return;
    }
    if (!this.connected) {
      this.connected = true;
      this.callbacks?.reconnected();
    }
    if (changed.length > 0) this.callbacks?.changed(changed);
  }

  private fail(code: grpc.status, message: string): void {
    if (this.closed) return;
    const pending = this.pendingConnect;
    if (pending) {
      // At startup, wait up to connectTimeoutMs for the service to come up; a refusal (bad key, bad selector) is final.
      if (!RETRYABLE_AT_STARTUP.has(code) || Date.now() + this.backoffMs > pending.deadline) {
        this.pendingConnect = undefined;
        pending.reject(new GeneralError(message));
      }
    } else if (this.connected) {
      this.connected = false;
      this.callbacks?.disconnected(message);
    }
    this.logger?.debug(`promptflag: ${message}; retrying in ${this.backoffMs} ms`);
    this.retryTimer = setTimeout(() => this.listen(), this.backoffMs);
    // While startup waits, the retry must keep the process alive; afterwards it must not hold shutdown up.
    if (!this.pendingConnect) this.retryTimer.unref();
    this.backoffMs = Math.min(this.backoffMs * 2, this.options.retryBackoffMaxMs);
  }
}

/** Failures that mean "not reachable (yet)" rather than "refused". */
const RETRYABLE_AT_STARTUP = new Set<grpc.status>([grpc.status.UNAVAILABLE, grpc.status.DEADLINE_EXCEEDED, grpc.status.UNKNOWN, grpc.status.RESOURCE_EXHAUSTED]);
