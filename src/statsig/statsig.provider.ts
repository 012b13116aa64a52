import {
  FlagNotFoundError,
  GeneralError,
  type EvaluationContext,
  type JsonValue,
  type Logger,
  type Provider,
  ProviderNotReadyError,
  type ResolutionDetails,
  StandardResolutionReasons,
  TargetingKeyMissingError,
  TypeMismatchError,
} from '@openfeature/server-sdk';
import type { DynamicConfig, StatsigUser } from 'statsig-node';
import type { StatsigReader } from './statsig-reader';

/** Separates an experiment name from one of its parameters in a flag key: `prompt_test/temperature`. */
export const PARAMETER_SEPARATOR = '/';

/**
 * An OpenFeature server Provider over statsig-node (none exists upstream for server-side JS).
 *
 * Flag keys:
 * - `experiment` with resolveObjectEvaluation: the experiment's whole config value for the user.
 * - `experiment/parameter` with any type: one parameter of that value, type-checked (TYPE_MISMATCH otherwise).
 * - `gate` with resolveBooleanEvaluation (no parameter): the feature gate.
 *
 * The context's `targetingKey` is the Statsig `userID` (TARGETING_KEY_MISSING without it); `email`, `ip`, `country`,
 * `userAgent`, `locale`, `appVersion` map to Statsig's fields and other primitive entries to `custom`.
 *
 * Reasons: an override is STATIC; a user in an experiment group is SPLIT; a matched rule is TARGETING_MATCH; the
 * default rule is DEFAULT; a persisted assignment is CACHED. Errors: an unknown experiment or parameter is
 * FLAG_NOT_FOUND, Statsig not initialized is PROVIDER_NOT_READY, anything else GENERAL.
 */
export class StatsigProvider implements Provider {
  readonly metadata = { name: 'promptflag-statsig' } as const;
  readonly runsOn = 'server' as const;

  constructor(private readonly statsig: StatsigReader) {}

  resolveBooleanEvaluation(flagKey: string, _defaultValue: boolean, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<boolean>> {
    const { name, parameter } = splitKey(flagKey);
    if (parameter === undefined) {
      const user = toStatsigUser(context);
      const value = guard(() => this.statsig.checkGate(user, name));
      return Promise.resolve({ value, reason: StandardResolutionReasons.TARGETING_MATCH, variant: String(value) });
    }
    return Promise.resolve(this.parameter(flagKey, context, 'boolean'));
  }

  resolveStringEvaluation(flagKey: string, _defaultValue: string, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<string>> {
    return Promise.resolve(this.parameter(flagKey, context, 'string'));
  }

  resolveNumberEvaluation(flagKey: string, _defaultValue: number, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<number>> {
    return Promise.resolve(this.parameter(flagKey, context, 'number'));
  }

  resolveObjectEvaluation<T extends JsonValue>(flagKey: string, _defaultValue: T, context: EvaluationContext, _logger: Logger): Promise<ResolutionDetails<T>> {
    const { name, parameter } = splitKey(flagKey);
    if (parameter !== undefined) return Promise.resolve(this.parameter(flagKey, context, 'object') as ResolutionDetails<T>);
    const config = this.experiment(name, context);
    return Promise.resolve({ ...describe(config), value: config.value as T });
  }

  private parameter<K extends 'boolean' | 'string' | 'number' | 'object'>(flagKey: string, context: EvaluationContext, type: K): ResolutionDetails<never> {
    const { name, parameter } = splitKey(flagKey);
    if (parameter === undefined) throw new TypeMismatchError(`"${flagKey}" is an experiment, whose value is an object: name a parameter (${name}${PARAMETER_SEPARATOR}<parameter>)`);
    const config = this.experiment(name, context);
    if (!(parameter in config.value)) throw new FlagNotFoundError(`experiment "${name}" has no parameter "${parameter}" for this user`);
    const value = config.value[parameter];
    const actual = value === null ? 'null' : Array.isArray(value) ? 'object' : typeof value;
    if (actual !== type) throw new TypeMismatchError(`parameter "${parameter}" of "${name}" is ${actual}, not ${type}`);
    return { ...describe(config), value: value as never };
  }

  private experiment(name: string, context: EvaluationContext): DynamicConfig {
    const user = toStatsigUser(context);
    const config = guard(() => this.statsig.getExperiment(user, name));
    const reason = config.getEvaluationDetails()?.reason;
    if (reason === 'Unrecognized') throw new FlagNotFoundError(`Statsig has no experiment "${name}"`);
    if (reason === 'Uninitialized') throw new ProviderNotReadyError('statsig-node is not initialized');
    if (reason === 'Unsupported') throw new GeneralError(`experiment "${name}" uses a condition this statsig-node version does not support`);
    return config;
  }
}

function describe(config: DynamicConfig): Omit<ResolutionDetails<unknown>, 'value'> {
  const ruleId = config.getRuleID();
  const group = config.getGroupName();
  const reason = mapReason(config.getEvaluationDetails()?.reason, ruleId, group);
  return {
    reason,
    variant: group ?? ruleId,
    flagMetadata: { ruleId, ...(group ? { groupName: group } : {}), statsigReason: config.getEvaluationDetails()?.reason ?? 'unknown' },
  };
}

/** Statsig's evaluation reason (where the data came from) plus the rule that matched → an OpenFeature reason. */
export function mapReason(statsigReason: string | undefined, ruleId: string, group: string | null): string {
  if (statsigReason === 'LocalOverride') return StandardResolutionReasons.STATIC;
  if (statsigReason === 'Persisted') return StandardResolutionReasons.CACHED;
  if (ruleId === 'default' || ruleId === '') return StandardResolutionReasons.DEFAULT;
  if (group) return StandardResolutionReasons.SPLIT;
  return StandardResolutionReasons.TARGETING_MATCH;
}

export function splitKey(flagKey: string): { name: string; parameter?: string } {
  const at = flagKey.indexOf(PARAMETER_SEPARATOR);
  return at < 0 ? { name: flagKey } : { name: flagKey.slice(0, at), parameter: flagKey.slice(at + 1) };
}

const USER_FIELDS = ['email', 'ip', 'country', 'userAgent', 'locale', 'appVersion'] as const;

export function toStatsigUser(context: EvaluationContext): StatsigUser {
  const userID = context.targetingKey;
  if (typeof userID !== 'string' || userID.length === 0) throw new TargetingKeyMissingError('the Statsig provider needs a targetingKey (the Statsig userID)');
  const user: StatsigUser = { userID };
  const custom: Record<string, string | number | boolean> = {};
  for (const [key, value] of Object.entries(context)) {
    if (key === 'targetingKey') continue;
    if ((USER_FIELDS as readonly string[]).includes(key) && typeof value === 'string') Object.assign(user, { [key]: value });
    else if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') custom[key] = value;
  }
  if (Object.keys(custom).length > 0) user.custom = custom;
  return user;
}

/** statsig-node throws its own errors (uninitialized, invalid argument): map them to OpenFeature's. */
function guard<T>(read: () => T): T {
  try {
    return read();
  } catch (error) {
    const name = (error as Error).name ?? '';
    if (name === 'StatsigUninitializedError' || /initialize/i.test((error as Error).message)) throw new ProviderNotReadyError('statsig-node is not initialized');
    throw new GeneralError(`Statsig: ${(error as Error).message}`);
  }
}
