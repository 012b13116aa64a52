import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';

/** Where the published flagd sync schema lives, relative to the package root (shipped as is, not compiled). */
const PROTO_RELATIVE_PATH = join('proto', 'flagd', 'sync', 'v1', 'sync.proto');

/** Fully qualified name of the sync service, as flagd and its providers call it. */
export const FLAG_SYNC_SERVICE = 'flagd.sync.v1.FlagSyncService';

/** gRPC metadata header carrying the selector (the request field is deprecated). */
export const FLAGD_SELECTOR_HEADER = 'flagd-selector';

/** @see proto/flagd/sync/v1/sync.proto (field names camelCased by proto-loader). */
export interface SyncFlagsRequest {
  providerId: string;
  /** @deprecated the selector travels in the `flagd-selector` metadata header */
  selector: string;
}

export interface SyncFlagsResponse {
  flagConfiguration: string;
  syncContext?: ProtoStruct;
}

export interface FetchAllFlagsRequest {
  providerId: string;
  /** @deprecated the selector travels in the `flagd-selector` metadata header */
  selector: string;
}

export interface FetchAllFlagsResponse {
  flagConfiguration: string;
}

export interface GetMetadataResponse {
  metadata?: ProtoStruct;
}

/** `google.protobuf.Struct` as proto-loader encodes it (a tagged union per value). */
export interface ProtoStruct {
  fields: Record<string, ProtoValue>;
}

export type ProtoValue =
  | { nullValue: 'NULL_VALUE' }
  | { numberValue: number }
  | { stringValue: string }
  | { boolValue: boolean }
  | { structValue: ProtoStruct }
  | { listValue: { values: ProtoValue[] } };

/** The client constructor proto-loader generates for FlagSyncService, typed for the calls we make. */
export interface FlagSyncServiceClient extends grpc.Client {
  SyncFlags(request: SyncFlagsRequest, metadata?: grpc.Metadata, options?: grpc.CallOptions): grpc.ClientReadableStream<SyncFlagsResponse>;
  FetchAllFlags(
    request: FetchAllFlagsRequest,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: FetchAllFlagsResponse) => void,
  ): grpc.ClientUnaryCall;
  /** @deprecated in flagd in favour of `sync_context` */
  GetMetadata(
    request: Record<string, never>,
    metadata: grpc.Metadata,
    options: grpc.CallOptions,
    callback: (error: grpc.ServiceError | null, response?: GetMetadataResponse) => void,
  ): grpc.ClientUnaryCall;
}

export type FlagSyncServiceClientConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ClientOptions) => FlagSyncServiceClient;

/**
 * A SyncFlagsResponse already encoded to protobuf bytes. The server's SyncFlags writes it as is, so a document sent
 * to many streams is encoded once instead of once per stream.
 */
export type EncodedSyncFlagsResponse = Buffer & { readonly encodedSyncFlagsResponse: true };

interface LoadedSyncPackage {
  /** For the server: SyncFlags also accepts an {@link EncodedSyncFlagsResponse}. */
  service: grpc.ServiceDefinition;
  Client: FlagSyncServiceClientConstructor;
  encodeSyncFlagsResponse: (message: SyncFlagsResponse) => EncodedSyncFlagsResponse;
}

let loaded: LoadedSyncPackage | undefined;

/**
 * The flagd sync service definition, loaded once from the shipped .proto (found by walking up from this file to the
 * package root, so it resolves the same from `src/` under ts-jest and from `dist/` after a build).
 */
export function flagSyncService(): LoadedSyncPackage {
  if (loaded) return loaded;
  const definition = loadSync(findSyncProto(), { keepCase: false, longs: String, enums: String, defaults: true, oneofs: true });
  const root = grpc.loadPackageDefinition(definition) as unknown as { flagd: { sync: { v1: { FlagSyncService: grpc.ServiceClientConstructor } } } };
  const constructor = root.flagd.sync.v1.FlagSyncService;
  const syncFlags = constructor.service.SyncFlags;
  const encode = (message: SyncFlagsResponse) => syncFlags.responseSerialize(message) as EncodedSyncFlagsResponse;
  const service: grpc.ServiceDefinition = {
    ...constructor.service,
    SyncFlags: { ...syncFlags, responseSerialize: (value: SyncFlagsResponse | EncodedSyncFlagsResponse) => (Buffer.isBuffer(value) ? value : encode(value)) },
  };
  loaded = { service, Client: constructor as unknown as FlagSyncServiceClientConstructor, encodeSyncFlagsResponse: encode };
  return loaded;
}

export function findSyncProto(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const candidate = join(dir, PROTO_RELATIVE_PATH);
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) throw new Error(`Cannot find ${PROTO_RELATIVE_PATH} in any parent of ${from}: is the package's proto/ folder shipped?`);
  }
}

/** Plain JSON → `google.protobuf.Struct` message. */
export function toProtoStruct(value: Record<string, unknown>): ProtoStruct {
  const fields: Record<string, ProtoValue> = {};
  for (const [key, v] of Object.entries(value)) if (v !== undefined) fields[key] = toProtoValue(v);
  return { fields };
}

function toProtoValue(value: unknown): ProtoValue {
  if (value === null) return { nullValue: 'NULL_VALUE' };
  if (typeof value === 'number') return { numberValue: value };
  if (typeof value === 'string') return { stringValue: value };
  if (typeof value === 'boolean') return { boolValue: value };
  if (Array.isArray(value)) return { listValue: { values: value.map(toProtoValue) } };
  if (typeof value === 'object') return { structValue: toProtoStruct(value as Record<string, unknown>) };
  return { stringValue: String(value) };
}

/** `google.protobuf.Struct` message → plain JSON. */
export function fromProtoStruct(struct: ProtoStruct | undefined | null): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(struct?.fields ?? {})) out[key] = fromProtoValue(value);
  return out;
}

function fromProtoValue(value: ProtoValue): unknown {
  // proto-loader (oneofs: true) names the set member in `kind`; other fields may be present with defaults.
  const kind = (value as { kind?: string }).kind;
  if (kind !== undefined) return fromProtoValue({ [kind]: (value as unknown as Record<string, unknown>)[kind] } as ProtoValue);
  if ('stringValue' in value) return value.stringValue;
  if ('numberValue' in value) return value.numberValue;
  if ('boolValue' in value) return value.boolValue;
  if ('structValue' in value) return fromProtoStruct(value.structValue);
  if ('listValue' in value) return value.listValue.values.map(fromProtoValue);
  return null;
}
