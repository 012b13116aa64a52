/**
 * How a consumer service evaluates prompt flags.
 *
 * - `in-process` (default): the flag document is streamed from promptflag's sync port and evaluated locally by the
 *   flagd provider (flagd-core). No network call per evaluation; keeps serving the last document while promptflag
 *   is unreachable.
 * - `ofrep`: every evaluation is an HTTP call to promptflag's OFREP endpoint.
 */
export type PromptflagMode = 'in-process' | 'ofrep';

export interface PromptflagExposureOptions {
  /**
   * Exposures per POST to `/v1/exposures`; a full batch is sent right away (off the request path). At most 1,000
   * (the service's limit per request).
   * @default 100
   */
  batchSize?: number;
  /**
   * A partial batch is sent after at most this long.
   * @default 5000
   */
  flushIntervalMs?: number;
  /**
   * Exposures kept while the service cannot take them; beyond this the oldest are dropped.
   * @default 10 × batchSize
   */
  maxQueued?: number;
}

/** Tuning of the in-process mode; the defaults suit production. */
export interface PromptflagInProcessOptions {
  /** Comma-separated slugs to sync (sent as the `flagd-selector` header); empty syncs every prompt. */
  selector?: string;
  /** Connect to the sync port over TLS (system CAs). @default false */
  tls?: boolean;
  /** Seconds after losing the sync stream before the provider turns from STALE to ERROR (values keep serving). @default 5 */
  retryGracePeriodSeconds?: number;
  /** First reconnect delay. @default 500 */
  retryBackoffMs?: number;
  /** Longest reconnect delay. @default 10000 */
  retryBackoffMaxMs?: number;
  /**
   * How long startup waits for the sync port to come up before failing (a refusal such as a bad key fails at once).
   * @default 5000
   */
  connectTimeoutMs?: number;
}

/** Options of {@link PromptflagModule.forRoot}. */
export interface PromptflagModuleOptions {
  /** Host of promptflag's sync port (in-process mode). */
  host: string;
  /** promptflag's SYNC_PORT. @default 8015 */
  syncPort?: number;
  /**
   * An API key (reader role is enough). In-process mode sends it as gRPC metadata on the sync stream, OFREP mode as
   * `Authorization: Bearer`, and exposures are posted with it. Needed unless promptflag runs with
   * SYNC_REQUIRE_AUTH=false (in-process mode without exposures).
   */
  apiKey?: string;
  /** @default 'in-process' */
  mode?: PromptflagMode;
  /** Base URL of promptflag's OFREP endpoint (OFREP mode). @default serviceUrl */
  ofrepUrl?: string;
  /** Base URL of promptflag's HTTP API, e.g. `http://promptflag:3000`: exposures go to `${serviceUrl}/v1/exposures`. */
  serviceUrl: string;
  /**
   * Exposure recording (in-process mode); `false` turns it off. In OFREP mode the service records each evaluation it
   * answers, so the plugin sends none (they would count twice).
   */
  exposures?: PromptflagExposureOptions | false;
  /**
   * OpenFeature domain of the provider, so it never replaces the application's own default provider.
   * @default 'promptflag'
   */
  domain?: string;
  inProcess?: PromptflagInProcessOptions;
}
