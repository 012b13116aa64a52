import { plainToInstance } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min, MinLength, validateSync } from 'class-validator';

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
}

/** Never echoed back in an error: they may hold a key or a password. */
const SECRET_KEYS = new Set(['PROMPTFLAG_ADMIN_KEY', 'REDIS_URL']);
const DEFAULTS = new EnvironmentVariables();
const KNOWN_KEYS = new Set([...Object.keys(DEFAULTS), 'REDIS_URL', 'PROMPTFLAG_ADMIN_KEY']);
const NUMERIC_KEYS = new Set(Object.keys(DEFAULTS).filter((key) => typeof DEFAULTS[key as keyof EnvironmentVariables] === 'number'));

/**
 * Fails fast, naming every bad variable at once. Used as ConfigModule's `validate`.
 * Unknown variables are ignored; an empty value counts as unset.
 */
export function validateEnvironment(raw: Record<string, unknown>): EnvironmentVariables {
  const given = Object.entries(raw).filter(([key, value]) => KNOWN_KEYS.has(key) && value !== '' && value !== undefined);
  const coerced = given.map(([key, value]) =>
    NUMERIC_KEYS.has(key) && typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? [key, Number(value)] : [key, value],
  );
  const env = plainToInstance(EnvironmentVariables, Object.fromEntries(coerced));
  const errors = validateSync(env);
  if (errors.length > 0) {
    const lines = errors.map((e) => `  ${e.property}=${SECRET_KEYS.has(e.property) ? '(hidden)' : JSON.stringify(e.value)}: ${Object.values(e.constraints ?? {}).join('; ')}`);
    throw new Error(`Invalid configuration:\n${lines.join('\n')}`);
  }
  return env;
}
