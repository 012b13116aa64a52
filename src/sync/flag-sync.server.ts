import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import * as grpc from '@grpc/grpc-js';
import { AppConfig } from '../config/app-config';
import { validateFlagDocument } from '../flags/domain/flag-document';
import { ServingState } from '../flags/serving-state.service';
import { ChangeCoalescer } from './domain/change-coalescer';
import { parseSyncSelector, selectorKey, syncView, type SyncDocument, type SyncSelector } from './domain/sync-selector';
import {
  FLAGD_SELECTOR_HEADER,
  flagSyncService,
  toProtoStruct,
  type EncodedSyncFlagsResponse,
  type FetchAllFlagsRequest,
  type FetchAllFlagsResponse,
  type GetMetadataResponse,
  type SyncFlagsRequest,
  type SyncFlagsResponse,
} from './flag-sync.proto';
import { SyncAuthenticator, type SyncRefusal } from './sync-auth.service';

/** A change after a quiet period goes out at once; further changes within this window go out as one document at its end. */
const BURST_WINDOW_MS = 25;
/** How often a stream waiting for the first load checks again. */
const NOT_READY_RETRY_MS = 200;
/** How long shutdown waits for clients to hang up before cutting connections. */
const SHUTDOWN_GRACE_MS = 2000;

const SERVER_OPTIONS: grpc.ServerOptions = {
  // Ping idle clients so dead connections (a vanished pod, a dropped NAT entry) are noticed and their streams freed.
  'grpc.keepalive_time_ms': 30_000,
  'grpc.keepalive_timeout_ms': 10_000,
  // Requests are a few bytes; responses (whole documents) have no send limit on the server side.
  'grpc.max_receive_message_length': 64 * 1024,
};

type SyncCall = grpc.ServerWritableStream<SyncFlagsRequest, SyncFlagsResponse | EncodedSyncFlagsResponse>;

interface SyncStream {
  call: SyncCall;
  selector: SyncSelector;
  /** Version of the view (whole document or selected subset) last written to this stream. */
  sentVersion?: string;
  /** Waiting for 'drain': the next push happens then, with whatever is current. */
  blocked: boolean;
}

interface SerialisedView {
  version: string;
  json: string;
  /** The SyncFlagsResponse carrying `json`, encoded once and written to every stream with this view. */
  message: EncodedSyncFlagsResponse;
}

/**
 * flagd's sync protocol (`flagd.sync.v1.FlagSyncService`) on SYNC_PORT: flagd daemons and in-process providers in
 * any language receive the complete flagd document on connect and again right after every change (bursts coalesced,
 * identical documents never re-sent), filtered by the `flagd-selector` header (comma-separated slugs). Only
 * documents that pass flagd-core's strict validation are ever sent. On shutdown every stream ends with UNAVAILABLE,
 * so clients keep their last document and reconnect (to another replica, or to this one once it is back).
 */
@Injectable()
export class FlagSyncServer implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(FlagSyncServer.name);
  private readonly streams = new Set<SyncStream>();
  private server?: grpc.Server;
  private boundPort?: number;
  private unsubscribe?: () => void;
  private readonly changes = new ChangeCoalescer(BURST_WINDOW_MS, () => this.flush());
  private encode?: (message: SyncFlagsResponse) => EncodedSyncFlagsResponse;
  /** Retries the flush while the first load has not completed. */
  private notReadyTimer?: NodeJS.Timeout;
  private closing = false;
  /** Version of the whole document that last passed validation, and the one that last failed it. */
  private validVersion?: string;
  private invalidVersion?: string;
  /** Serialised views of the current document, per selector; dropped when the document changes. */
  private views: { documentVersion?: string; bySelector: Map<string, SerialisedView> } = { bySelector: new Map() };

  constructor(
    private readonly state: ServingState,
    private readonly auth: SyncAuthenticator,
    private readonly config: AppConfig,
  ) {}

  /** The port the server is bound to (the one picked when SYNC_PORT is 0). */
  get port(): number {
    if (this.boundPort === undefined) throw new Error('The flag sync server is not listening');
    return this.boundPort;
  }

  /** Clients currently streaming. */
  get streamCount(): number {
    return this.streams.size;
  }

  async onApplicationBootstrap(): Promise<void> {
    const { service, encodeSyncFlagsResponse } = flagSyncService();
    this.encode = encodeSyncFlagsResponse;
    const server = new grpc.Server(SERVER_OPTIONS);
    server.addService(service, {
      SyncFlags: (call: SyncCall) => void this.syncFlags(call),
      FetchAllFlags: (call: grpc.ServerUnaryCall<FetchAllFlagsRequest, FetchAllFlagsResponse>, callback: grpc.sendUnaryData<FetchAllFlagsResponse>) =>
        void this.fetchAllFlags(call, callback),
      GetMetadata: (call: grpc.ServerUnaryCall<object, GetMetadataResponse>, callback: grpc.sendUnaryData<GetMetadataResponse>) => void this.getMetadata(call, callback),
    });
    const requested = this.config.SYNC_PORT;
    try {
      this.boundPort = await new Promise<number>((resolve, reject) =>
        server.bindAsync(`0.0.0.0:${requested}`, grpc.ServerCredentials.createInsecure(), (error, port) => (error ? reject(bindError(requested, error)) : resolve(port))),
      );
    } catch (error) {
      server.forceShutdown();
      throw error;
    }
    this.server = server;
    this.unsubscribe = this.state.onChange(() => this.changes.changed());
    this.logger.log(`flagd sync (flagd.sync.v1.FlagSyncService) listening on port ${this.boundPort}${this.config.SYNC_REQUIRE_AUTH ? '' : ' without authentication'}`);
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.unsubscribe?.();
    this.changes.stop();
    if (this.notReadyTimer) clearTimeout(this.notReadyTimer);
    for (const stream of this.streams) {
      stream.call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'promptflag is shutting down; reconnect' });
    }
    this.streams.clear();
    const server = this.server;
    if (!server) return;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => {
        server.forceShutdown();
        resolve();
      }, SHUTDOWN_GRACE_MS);
      server.tryShutdown(() => {
        clearTimeout(force);
        resolve();
      });
    });
    this.server = undefined;
  }

  private async syncFlags(call: SyncCall): Promise<void> {
    const refusal = await this.admit(call.metadata, call.getPeer());
    if (refusal) return void call.emit('error', refusal);
    const selector = parseSyncSelector(selectorOf(call.metadata, call.request));
    if (!selector.ok) return void call.emit('error', { code: grpc.status.INVALID_ARGUMENT, details: selector.message });
    if (call.cancelled) return;

    const stream: SyncStream = { call, selector: selector.selector, blocked: false };
    this.streams.add(stream);
    const forget = () => this.streams.delete(stream);
    call.on('cancelled', forget);
    call.on('close', forget);
    call.on('error', forget);
    if (this.state.ready) this.push(stream);
    else this.retryWhenReady();
  }

  private async fetchAllFlags(call: grpc.ServerUnaryCall<FetchAllFlagsRequest, FetchAllFlagsResponse>, callback: grpc.sendUnaryData<FetchAllFlagsResponse>): Promise<void> {
    const refusal = await this.admit(call.metadata, call.getPeer());
    if (refusal) return callback(refusal);
    const selector = parseSyncSelector(selectorOf(call.metadata, call.request));
    if (!selector.ok) return callback({ code: grpc.status.INVALID_ARGUMENT, details: selector.message });
    if (!this.state.ready) return callback({ code: grpc.status.UNAVAILABLE, details: 'Flags are not loaded yet; retry' });
    const view = this.viewFor(selector.selector);
    if (!view) return callback({ code: grpc.status.INTERNAL, details: 'The current flag document failed validation; see the service log' });
    callback(null, { flagConfiguration: view.json });
  }

  /** Deprecated in flagd in favour of `sync_context`; answers the flag set's id and version. */
  private async getMetadata(call: grpc.ServerUnaryCall<object, GetMetadataResponse>, callback: grpc.sendUnaryData<GetMetadataResponse>): Promise<void> {
    const refusal = await this.admit(call.metadata, call.getPeer());
    if (refusal) return callback(refusal);
    const { flagSetId, version } = this.state.exportDocument().metadata;
    callback(null, { metadata: toProtoStruct({ flagSetId, version }) });
  }

  private async admit(metadata: grpc.Metadata, peer: string): Promise<SyncRefusal | null> {
    if (this.closing) return { code: grpc.status.UNAVAILABLE, details: 'promptflag is shutting down' };
    try {
      return await this.auth.check(metadata, peer);
    } catch (error) {
      this.logger.warn(`Sync authentication failed: ${(error as Error).message}`);
      return { code: grpc.status.UNAVAILABLE, details: 'Authentication is unavailable; retry' };
    }
  }

  private retryWhenReady(): void {
    if (this.notReadyTimer || this.closing) return;
    this.notReadyTimer = setTimeout(() => {
      this.notReadyTimer = undefined;
      this.flush();
    }, NOT_READY_RETRY_MS);
  }

  private flush(): void {
    if (this.streams.size === 0) return;
    if (!this.state.ready) return this.retryWhenReady();
    for (const stream of this.streams) this.push(stream);
  }

  /** Writes the current document to one stream, unless it already has it or is waiting for 'drain'. */
  private push(stream: SyncStream): void {
    if (stream.blocked || stream.call.cancelled || this.closing) return;
    const view = this.viewFor(stream.selector);
    if (!view || view.version === stream.sentVersion) return;
    stream.sentVersion = view.version;
    const flowing = stream.call.write(view.message);
    if (!flowing) {
      stream.blocked = true;
      stream.call.once('drain', () => {
        stream.blocked = false;
        this.push(stream);
      });
    }
  }

  private viewFor(selector: SyncSelector): SerialisedView | undefined {
    const document = this.state.exportDocument();
    const documentVersion = document.metadata.version;
    if (this.views.documentVersion !== documentVersion) {
      const whole = syncView(document, null);
      if (!this.isValid(documentVersion, whole.document)) return undefined;
      this.views = { documentVersion, bySelector: new Map([[selectorKey(null), this.serialise(whole.version, whole.document)]]) };
    }
    const key = selectorKey(selector);
    let view = this.views.bySelector.get(key);
    if (!view) {
      const selected = syncView(document, selector);
      view = this.serialise(selected.version, selected.document);
      this.views.bySelector.set(key, view);
    }
    return view;
  }

  private serialise(version: string, document: SyncDocument): SerialisedView {
    if (!this.encode) throw new Error('The flag sync server is not started');
    const json = JSON.stringify(document);
    return { version, json, message: this.encode({ flagConfiguration: json }) };
  }

  /**
   * ServingState only holds flags that passed validation one by one; this asserts it for the whole document before
   * anything is sent (once per document version). A document that fails is never sent: clients keep the last one;
   * subsets of a valid document are valid (flags do not reference each other).
   */
  private isValid(version: string, document: SyncDocument): boolean {
    if (version === this.validVersion) return true;
    if (version === this.invalidVersion) return false;
    try {
      validateFlagDocument(document);
      this.validVersion = version;
      return true;
    } catch (error) {
      this.invalidVersion = version;
      this.logger.error(`Not syncing flag document ${version}: it fails flagd validation: ${(error as Error).message}`);
      return false;
    }
  }
}

function selectorOf(metadata: grpc.Metadata, request: { selector?: string }): string {
  const header = metadata.get(FLAGD_SELECTOR_HEADER)[0];
  return typeof header === 'string' && header.length > 0 ? header : (request.selector ?? '');
}

function bindError(port: number, error: Error): Error {
  return new Error(`The flag sync server cannot listen on port ${port} (set SYNC_PORT, 0 for any free port): ${error.message}`);
}
