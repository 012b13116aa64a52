import { plainToInstance } from 'class-transformer';
import { IsBoolean, IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** Every environment variable the service reads, with its default. The only place that knows their names. */
export class EnvironmentVariables {
  @IsInt() @Min(0) @Max(65535)
  PORT = 3000;

  @IsOptional() @Matches(/^rediss?:\/\/.+/, { message: 'REDIS_URL must be a redis:// or rediss:// URL' })
  REDIS_URL?: string;

  @IsString() @MinLength(1)
  REDIS_KEY_PREFIX = 'pf';

  @IsInt() @Min(50) @Max(60000)
  REDIS_COMMAND_TIMEOUT_MS = 2000;

  @IsString() @MinLength(1)
  DATA_DIR = './data';

  @IsOptional() @IsString() @MinLength(32, { message: 'PROMPTFLAG_ADMIN_KEY must be at least 32 characters' })
  PROMPTFLAG_ADMIN_KEY?: string;

  @IsIn(LOG_LEVELS)
  LOG_LEVEL: (typeof LOG_LEVELS)[number] = 'info';

  /** Failed authentications allowed per client address per window before 429. */
  @IsInt() @Min(1)
  AUTH_FAILURE_LIMIT = 20;

  @IsInt() @Min(1)
  AUTH_FAILURE_WINDOW_SECONDS = 60;

  /** Full reload of serving state, a backstop for missed change notifications. */
  @IsInt() @Min(1)
  RELOAD_INTERVAL_SECONDS = 30;

  @IsString()
  FLAGS_DIR = './flags';

  @IsInt() @Min(1024)
  BODY_LIMIT_BYTES = 1024 * 1024;

  /** Port of the flagd sync gRPC service (`flagd.sync.v1.FlagSyncService`), flagd's own 8015 by default; 0 picks a free port. */
  @IsInt() @Min(0) @Max(65535)
  SYNC_PORT = 8015;

  /**
   * When true (default), sync calls must send `authorization: Bearer <credential>` gRPC metadata: an API key (any
   * role; reader is the least) or SYNC_TOKEN. Stock flagd in-process providers cannot send metadata: run them
   * against a private sync port with this set to false.
   */
  @IsBoolean()
  SYNC_REQUIRE_AUTH = true;

  /** A shared bearer token accepted on the sync port besides API keys (e.g. for a flagd daemon). */
  @IsOptional() @IsString() @MinLength(32, { message: 'SYNC_TOKEN must be at least 32 characters' })
  SYNC_TOKEN: string | undefined = undefined;

  /** How often the alert monitor evaluates every served slug's experiment; 0 disables the monitor. */
  @IsInt() @Min(0) @Max(86400)
  ALERT_INTERVAL_SECONDS = 60;

  /**
   * Comma-separated webhook URLs that receive new alerts. A URL on hooks.slack.com, or any URL written with a
   * `slack:` prefix (`slack:https://chat.example/hook`), gets the Slack-compatible body `{text, blocks}`; every other
   * URL gets the generic JSON body.
   */
  @IsOptional() @IsString()
  ALERT_WEBHOOK_URLS: string | undefined = undefined;

  /** Timeout of one delivery attempt. */
  @IsInt() @Min(100) @Max(60000)
  ALERT_WEBHOOK_TIMEOUT_MS = 5000;

  /** Attempts per webhook and alert (first try included), with exponential backoff between them. */
  @IsInt() @Min(1) @Max(10)
  ALERT_WEBHOOK_MAX_ATTEMPTS = 4;

  /** Backoff before the second attempt; doubled before each further one. */
  @IsInt() @Min(1) @Max(60000)
  ALERT_WEBHOOK_BACKOFF_MS = 500;

  /** A breach still present is delivered again after this many hours (the dedupe window). */
  @IsInt() @Min(1) @Max(720)
  ALERT_REPEAT_HOURS = 24;

  /** Base of the runbook links in alerts; `#<metric>` is appended. Point it at your rendered copy of docs/runbooks.md. */
  @IsString() @MinLength(1)
  ALERT_RUNBOOK_BASE_URL = 'docs/runbooks.md';

  /** How often the ramp runner looks for due ramp steps, in milliseconds; 0 disables it (ramps then move only by hand). */
  @IsInt() @Min(0) @Max(3_600_000)
  RAMP_TICK_MS = 1000;

  /** How often a running ramp's guardrails are checked while it holds a step (they are always checked before the next step). */
  @IsInt() @Min(100) @Max(3_600_000)
  RAMP_GUARDRAIL_CHECK_MS = 10_000;

  /** Serves Prometheus metrics at GET /metrics, without a key (scrapers have none); false answers 404. */
  @IsBoolean()
  METRICS_ENABLED = true;

  /** When set, exposures and outcomes are also logged to Statsig, and Statsig experiments can be read. */
  @IsOptional() @IsString() @MinLength(1)
  STATSIG_SERVER_SECRET: string | undefined = undefined;

  /** statsig-node localMode (no network, overrides only; also disables its logging): for tests and development. */
  @IsBoolean()
  STATSIG_LOCAL_MODE = false;

  /** How often rollouts that take their weights from a Statsig experiment re-read them, in seconds; 0 only at PUT. */
  @IsInt() @Min(0) @Max(86_400)
  STATSIG_ALLOCATION_SYNC_SECONDS = 60;
}

/** Never echoed back in an error: they may hold a key or a password. */
const SECRET_KEYS = new Set(['PROMPTFLAG_ADMIN_KEY', 'REDIS_URL', 'SYNC_TOKEN', 'ALERT_WEBHOOK_URLS', 'STATSIG_SERVER_SECRET']);
const DEFAULTS = new EnvironmentVariables();
const KNOWN_KEYS = new Set([...Object.keys(DEFAULTS), 'REDIS_URL', 'PROMPTFLAG_ADMIN_KEY']);
const NUMERIC_KEYS = new Set(Object.keys(DEFAULTS).filter((key) => typeof DEFAULTS[key as keyof EnvironmentVariables] === 'number'));
const BOOLEAN_KEYS = new Set(Object.keys(DEFAULTS).filter((key) => typeof DEFAULTS[key as keyof EnvironmentVariables] === 'boolean'));
const TRUE_TEXT = /^\s*(true|1|yes)\s*$/i;
const FALSE_TEXT = /^\s*(false|0|no)\s*$/i;

/**
 * Fails fast, naming every bad variable at once. Used as ConfigModule's `validate`.
 * Unknown variables are ignored; an empty value counts as unset.
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const given = Object.entries(raw).filter(([key, value]) => KNOWN_KEYS.has(key) && value !== '' && value !== undefined);
  const coerced = given.map(([key, value]) => [key, coerce(key, value)]);
  const env = plainToInstance(EnvironmentVariables, Object.fromEntries(coerced));
  const errors = validateSync(env);
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}=${SECRET_KEYS.has(e.property) ? '(hidden)' : JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}

function coerce(key: string, value: unknown): unknown {
  if (typeof value !== 'string') return value;
  if (NUMERIC_KEYS.has(key) && /^\s*-?\d+\s*$/.test(value)) return Number(value);
  if (BOOLEAN_KEYS.has(key) && TRUE_TEXT.test(value)) return true;
  if (BOOLEAN_KEYS.has(key) && FALSE_TEXT.test(value)) return false;
  return value;
}
