import * as grpc from '@grpc/grpc-js';
import { FLAGD_SELECTOR_HEADER, flagSyncService, fromProtoStruct, type FetchAllFlagsResponse, type FlagSyncServiceClient, type SyncFlagsResponse } from '../../src/sync/flag-sync.proto';

export interface RawSyncOptions {
  /** Sent as `authorization: Bearer <credential>`. */
  credential?: string;
  selector?: string;
}

/** A plain gRPC client of our sync port (the shipped .proto, no provider logic), for protocol-level assertions. */
export class RawSyncClient {
  readonly client: FlagSyncServiceClient;

  constructor(port: number) {
    const { Client } = flagSyncService();
    this.client = new Client(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }

  /** Opens SyncFlags; collects every message, and resolves `ended` with the final status. */
  sync(options: RawSyncOptions = {}): SyncSubscription {
    const stream = this.client.SyncFlags({ providerId: 'e2e', selector: '' }, metadataOf(options));
    return new SyncSubscription(stream);
  }

  fetchAll(options: RawSyncOptions = {}): Promise<FetchAllFlagsResponse> {
    return new Promise((resolve, reject) =>
      this.client.FetchAllFlags({ providerId: 'e2e', selector: '' }, metadataOf(options), {}, (error, response) => (error ? reject(error) : resolve(response as FetchAllFlagsResponse))),
    );
  }

  getMetadata(options: RawSyncOptions = {}): Promise<Record<string, unknown>> {
    return new Promise((resolve, reject) =>
      this.client.GetMetadata({}, metadataOf(options), {}, (error, response) => (error ? reject(error) : resolve(fromProtoStruct(response?.metadata)))),
    );
  }

  close(): void {
    this.client.close();
  }
}

export class SyncSubscription {
  readonly messages: SyncFlagsResponse[] = [];
  readonly ended: Promise<grpc.StatusObject>;
  private waiters: (() => void)[] = [];

  constructor(readonly stream: grpc.ClientReadableStream<SyncFlagsResponse>) {
    stream.on('data', (message: SyncFlagsResponse) => {
      this.messages.push(message);
      for (const wake of this.waiters.splice(0)) wake();
    });
    stream.on('error', () => undefined);
    this.ended = new Promise((resolve) => stream.on('status', resolve));
  }

  /** The parsed flag document of message number `index` (0 = the one sent on connect), once it has arrived. */
  async document(index: number, timeoutMs = 5000): Promise<{ flags: Record<string, unknown>; metadata: Record<string, unknown> }> {
    const deadline = Date.now() + timeoutMs;
    while (this.messages.length <= index) {
      if (Date.now() > deadline) throw new Error(`sync message ${index} did not arrive within ${timeoutMs} ms (got ${this.messages.length})`);
      await Promise.race([new Promise<void>((resolve) => this.waiters.push(resolve)), new Promise((resolve) => setTimeout(resolve, 50))]);
    }
    return JSON.parse(this.messages[index].flagConfiguration);
  }

  cancel(): void {
    this.stream.cancel();
  }
}

function metadataOf(options: RawSyncOptions): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (options.credential !== undefined) metadata.set('authorization', `Bearer ${options.credential}`);
  if (options.selector !== undefined) metadata.set(FLAGD_SELECTOR_HEADER, options.selector);
  return metadata;
}
