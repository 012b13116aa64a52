import { ErrorCode, OpenFeature, StandardResolutionReasons } from '@openfeature/server-sdk';
import statsig, { DynamicConfig } from 'statsig-node';
import { EvaluationDetails } from 'statsig-node/dist/EvaluationDetails';
import { parseAllocation, readAllocation } from './statsig-allocation.source';
import { logExposures, logOutcomes, OUTCOME_EVENT, EXPOSURE_EVENT } from './statsig-event.sink';
import { mapReason, StatsigProvider, toStatsigUser } from './statsig.provider';

const DOMAIN = 'statsig-provider-spec';

describe(StatsigProvider.name, () => {
  beforeAll(async () => {
    // statsig-node is a singleton module: initialized once for this file, never against the network. The bootstrap is
    // an empty spec set, so unknown names are 'Unrecognized' (without specs every evaluation is 'Uninitialized').
    const emptySpecs = { has_updates: true, feature_gates: [], dynamic_configs: [], layer_configs: [], time: Date.now() };
    await statsig.initialize('secret-local-test', { localMode: true, disableAllLogging: true, bootstrapValues: JSON.stringify(emptySpecs) });
    statsig.overrideConfig('prompt_test', { version: 3, temperature: 0.2, model: 'gpt-4o', verbose: true, allocation: [{ version: 1, weight: 90 }, { version: 3, weight: 10 }] });
    statsig.overrideConfig('prompt_test', { version: 4, temperature: 0.7, model: 'gpt-4o-mini', verbose: false }, 'user-b');
    statsig.overrideGate('new_prompts', true);
    await OpenFeature.setProviderAndWait(DOMAIN, new StatsigProvider(statsig));
  });

  afterAll(async () => {
    await OpenFeature.clearProviders();
    await statsig.shutdownAsync();
  });

  const client = () => OpenFeature.getClient(DOMAIN);

  it('resolves an experiment as an object: the config value, reason STATIC for an override', async () => {
    const details = await client().getObjectDetails('prompt_test', {}, { targetingKey: 'user-a' });
    expect(details.value).toMatchObject({ version: 3, model: 'gpt-4o' });
    expect(details.reason).toBe(StandardResolutionReasons.STATIC);
    expect(details.errorCode).toBeUndefined();
    expect(details.flagMetadata).toMatchObject({ ruleId: 'override', statsigReason: 'LocalOverride' });
  });

  it('resolves parameters by type, per user (overrides for one userID win)', async () => {
    expect(await client().getNumberValue('prompt_test/version', 0, { targetingKey: 'user-a' })).toBe(3);
    expect(await client().getNumberValue('prompt_test/version', 0, { targetingKey: 'user-b' })).toBe(4);
    expect(await client().getStringValue('prompt_test/model', 'x', { targetingKey: 'user-b' })).toBe('gpt-4o-mini');
    expect(await client().getBooleanValue('prompt_test/verbose', false, { targetingKey: 'user-a' })).toBe(true);
    expect(await client().getObjectValue('prompt_test/allocation', [], { targetingKey: 'user-a' })).toEqual([{ version: 1, weight: 90 }, { version: 3, weight: 10 }]);
  });

  it('resolves a boolean without a parameter as a feature gate', async () => {
    expect(await client().getBooleanValue('new_prompts', false, { targetingKey: 'user-a' })).toBe(true);
    expect(await client().getBooleanValue('unknown_gate', true, { targetingKey: 'user-a' })).toBe(false);
  });

  it.each<[string, () => Promise<{ value: unknown; errorCode?: string; reason?: string }>, unknown, string]>([
    ['an unknown experiment', () => client().getObjectDetails('no_such_experiment', { d: 1 }, { targetingKey: 'u' }), { d: 1 }, ErrorCode.FLAG_NOT_FOUND],
    ['an unknown parameter', () => client().getStringDetails('prompt_test/nope', 'd', { targetingKey: 'u' }), 'd', ErrorCode.FLAG_NOT_FOUND],
    ['a parameter of another type', () => client().getStringDetails('prompt_test/version', 'd', { targetingKey: 'u' }), 'd', ErrorCode.TYPE_MISMATCH],
    ['a string read of a whole experiment', () => client().getStringDetails('prompt_test', 'd', { targetingKey: 'u' }), 'd', ErrorCode.TYPE_MISMATCH],
    ['no targeting key', () => client().getNumberDetails('prompt_test/version', 7, {}), 7, ErrorCode.TARGETING_KEY_MISSING],
  ])('answers %s with the default and an OpenFeature error code', async (_name, evaluate, fallback, code) => {
    const details = await evaluate();
    expect(details.value).toEqual(fallback);
    expect(details.errorCode).toBe(code);
    expect(details.reason).toBe(StandardResolutionReasons.ERROR);
  });

  it('reports PROVIDER_NOT_READY when statsig-node has no config specs', async () => {
    const unready = { getExperiment: () => new DynamicConfig('e', {}, '', null, null, [], null, EvaluationDetails.uninitialized()), checkGate: () => false };
    await OpenFeature.setProviderAndWait(`${DOMAIN}-unready`, new StatsigProvider(unready));
    const details = await OpenFeature.getClient(`${DOMAIN}-unready`).getNumberDetails('e/x', 1, { targetingKey: 'u' });
    expect(details).toMatchObject({ value: 1, errorCode: ErrorCode.PROVIDER_NOT_READY });
  });

  it('reads a rollout allocation from an experiment config', () => {
    expect(readAllocation(statsig, 'prompt_test')).toEqual([{ version: 1, weight: 90 }, { version: 3, weight: 10 }]);
    expect(() => readAllocation(statsig, 'no_such_experiment')).toThrow('no experiment');
    expect(() => readAllocation(statsig, 'prompt_test', 'model')).toThrow('non-empty list');
  });
});

describe('Statsig helpers', () => {
  it.each<[string | undefined, string, string | null, string]>([
    ['LocalOverride', 'override', null, 'STATIC'],
    ['Persisted', 'r1', 'Test', 'CACHED'],
    ['Network', 'default', null, 'DEFAULT'],
    ['Network', 'r1', 'Test', 'SPLIT'],
    ['Network', 'r2', null, 'TARGETING_MATCH'],
  ])('maps %s / rule %s / group %s to %s', (reason, rule, group, expected) => {
    expect(mapReason(reason, rule, group)).toBe(expected);
  });

  it('maps the evaluation context to a Statsig user', () => {
    expect(toStatsigUser({ targetingKey: 'u1', email: 'a@b.c', country: 'NZ', plan: 'pro', seats: 3, beta: true, nested: { x: 1 } })).toEqual({
      userID: 'u1',
      email: 'a@b.c',
      country: 'NZ',
      custom: { plan: 'pro', seats: 3, beta: true },
    });
  });

  it.each<[unknown, string]>([
    [[{ version: 0, weight: 1 }], 'positive integer'],
    [[{ version: 1, weight: -1 }], 'non-negative'],
    [[{ version: 1, weight: 1 }, { version: 1, weight: 2 }], 'twice'],
    [[{ version: 1, weight: 0 }], 'no positive weight'],
    [{}, 'non-empty list'],
  ])('refuses the allocation %j', (raw, message) => {
    expect(() => parseAllocation(raw, 'e', 'allocation')).toThrow(message);
  });

  it('logs exposures and outcomes with the hashed subject as userID, never the raw key', () => {
    const calls: unknown[][] = [];
    const writer = { logEvent: (...args: unknown[]) => void calls.push(args) };
    const hash = 'a'.repeat(64);
    logExposures(writer, [{ slug: 's', version: 2, variant: 'v2', revision: 5, targetingKeyHash: hash, hour: 1 }]);
    logOutcomes(writer, [{ record: { id: 'e1', slug: 's', version: 2, hour: 1, outcome: 'accepted', latencyMs: 120 }, subjectHash: hash }]);
    expect(calls).toEqual([
      [{ userID: hash }, EXPOSURE_EVENT, 's', { slug: 's', version: '2', variant: 'v2', revision: '5' }],
      [{ userID: hash }, OUTCOME_EVENT, 'accepted', { slug: 's', version: '2', eventId: 'e1', outcome: 'accepted', latencyMs: '120' }],
    ]);
  });
});
