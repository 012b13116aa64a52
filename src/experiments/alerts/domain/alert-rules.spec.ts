import { emptyAggregate, type VersionAggregate } from '../../domain/experiment-records';
import { latencyBucket } from '../../domain/latency-histogram';
import { buildResults } from '../../domain/results';
import { alertKey, DEFAULT_ALERT_RULES, effectiveRules, evaluateAlertRules, runbookUrl, validateRuleOverrides, type AlertMetric, type AlertRules } from './alert-rules';

const N = 2000;

interface ArmSpec {
  accepted?: number;
  latencyMs?: number;
  tokens?: number;
  lengthShare?: number;
  calls?: number;
  exposures?: number;
}

/** An arm of `calls` labelled calls, each with one latency, `tokens` tokens and a share ending with `length`. */
function arm(version: number, spec: ArmSpec = {}): VersionAggregate {
  const calls = spec.calls ?? N;
  const accepted = Math.round((spec.accepted ?? 0.5) * calls);
  const length = Math.round((spec.lengthShare ?? 0.01) * calls);
  return {
    ...emptyAggregate(version),
    exposures: spec.exposures ?? calls,
    users: calls,
    calls,
    labelled: calls,
    outcomes: { accepted, rejected: calls - accepted },
    latency: { [latencyBucket(spec.latencyMs ?? 800)]: calls },
    latencyCount: calls,
    promptTokens: (spec.tokens ?? 400) * calls,
    completionTokens: 0,
    tokenCalls: calls,
    finishReasons: { length, stop: calls - length },
    finishReasonCalls: calls,
  };
}

function results(b: ArmSpec, c: ArmSpec, allocation = [{ version: 1, share: 50 }, { version: 2, share: 50 }]) {
  return buildResults({
    slug: 'triage',
    from: new Date('2025-06-01T00:00:00Z'),
    to: new Date('2025-06-02T00:00:00Z'),
    now: new Date('2025-06-03T00:00:00Z'),
    baseline: 1,
    aggregates: [arm(1, b), arm(2, c)],
    allocation,
  });
}

const metrics = (rules: AlertRules, b: ArmSpec, c: ArmSpec) => evaluateAlertRules(results(b, c), rules).map((x) => `${x.version}:${x.metric}`);

describe(evaluateAlertRules.name, () => {
  it.each<[string, ArmSpec, ArmSpec, string[]]>([
    ['no breach when the candidate matches the baseline', {}, {}, []],
    ['outcome rate down 20 % relative, significant', { accepted: 0.5 }, { accepted: 0.4 }, ['2:outcome-rate-drop']],
    ['outcome rate down 8 % relative: under the threshold', { accepted: 0.5 }, { accepted: 0.46 }, []],
    ['outcome rate down 20 % relative on 60 calls: insufficient sample', { accepted: 0.5, calls: 60 }, { accepted: 0.4, calls: 60 }, []],
    ['outcome rate up: never a breach', { accepted: 0.4 }, { accepted: 0.5 }, []],
    ['p95 latency up 40 %', { latencyMs: 800 }, { latencyMs: 1120 }, ['2:p95-latency-up']],
    ['p95 latency up 15 %', { latencyMs: 800 }, { latencyMs: 920 }, []],
    ['tokens per call up 30 %', { tokens: 400 }, { tokens: 520 }, ['2:tokens-per-call-up']],
    ['tokens per call up 10 %', { tokens: 400 }, { tokens: 440 }, []],
    ['length share 12 % on the candidate', {}, { lengthShare: 0.12 }, ['2:length-share']],
    ['length share 12 % on the baseline too', { lengthShare: 0.12 }, { lengthShare: 0.12 }, ['1:length-share', '2:length-share']],
    ['length share exactly 5 %: not above', {}, { lengthShare: 0.05 }, []],
    ['SRM: 2,000 vs 2,600 exposures on a 50/50 split', {}, { exposures: 2600 }, ['null:srm']],
    [
      'several breaches on one version, ordered by metric',
      {},
      { accepted: 0.4, latencyMs: 1200, tokens: 600, lengthShare: 0.2 },
      ['2:outcome-rate-drop', '2:p95-latency-up', '2:tokens-per-call-up', '2:length-share'],
    ],
  ])('%s', (_name, b, c, expected) => {
    expect(metrics(effectiveRules({}), b, c)).toEqual(expected);
  });

  it.each<[string, Partial<AlertRules>, ArmSpec, string[]]>([
    ['a null threshold disables its rule', { p95LatencyUpRelative: null }, { latencyMs: 1200 }, []],
    ['a tighter threshold catches a smaller rise', { tokensPerCallUpRelative: 0.05 }, { tokens: 440 }, ['2:tokens-per-call-up']],
    ['srm: false ignores a mismatch', { srm: false }, { exposures: 2600 }, []],
    ['goodOutcomes names the label that must not drop', { goodOutcomes: ['rejected'] }, { accepted: 0.6 }, ['2:outcome-rate-drop']],
    ['minCalls above the sample silences latency', { minCalls: 5000 }, { latencyMs: 1200 }, []],
  ])('per-slug override: %s', (_name, overrides, c, expected) => {
    expect(metrics(effectiveRules(overrides), {}, c)).toEqual(expected);
  });

  it('names slug, version, metric, values, threshold, evidence and the runbook link', () => {
    const [breach] = evaluateAlertRules(results({ accepted: 0.5 }, { accepted: 0.4 }), DEFAULT_ALERT_RULES as AlertRules, { runbookBase: 'https://git.example/promptflag/docs/runbooks.md' });
    expect(breach).toMatchObject({
      slug: 'triage',
      version: 2,
      metric: 'outcome-rate-drop',
      baselineValue: 0.5,
      value: 0.4,
      threshold: 0.1,
      runbookUrl: 'https://git.example/promptflag/docs/runbooks.md#outcome-rate-drop',
      evidence: { outcome: 'accepted', labelled: N, baselineLabelled: N },
    });
    expect(breach.evidence.relativeChange).toBeCloseTo(-0.2, 10);
    expect(breach.evidence.pValue).toBeLessThan(0.05);
  });

  it('makes no claim without a baseline version in the data', () => {
    const r = buildResults({ slug: 's', from: new Date(0), to: new Date(3_600_000), now: new Date(7_200_000), baseline: 9, aggregates: [arm(1, { accepted: 0.1 }), arm(2, { accepted: 0.9 })], allocation: [] });
    expect(evaluateAlertRules(r, effectiveRules({})).map((b) => b.metric)).toEqual([]);
  });
});

describe('alert keys and runbooks', () => {
  it.each<AlertMetric>(['outcome-rate-drop', 'p95-latency-up', 'tokens-per-call-up', 'length-share', 'srm'])('%s links its runbook section', (metric) => {
    expect(runbookUrl(metric)).toBe(`docs/runbooks.md#${metric}`);
  });

  it('keys an alert by slug, version, metric (and label) and dedupe window', () => {
    const [breach] = evaluateAlertRules(results({ accepted: 0.5 }, { accepted: 0.4 }), effectiveRules({}));
    expect(alertKey(breach, 7)).toBe('triage|2|outcome-rate-drop:accepted|7');
  });
});

describe(validateRuleOverrides.name, () => {
  it.each<[unknown, boolean]>([
    [{}, true],
    [{ outcomeDropRelative: 0.2, p95LatencyUpRelative: null, srm: false, goodOutcomes: ['ok'], minCalls: 50, significanceAlpha: 0.01, reason: 'tighter' }, true],
    [{ outcomeDropRelative: -1 }, false],
    [{ lengthShareAbove: 'high' }, false],
    [{ srm: 'yes' }, false],
    [{ minCalls: 1.5 }, false],
    [{ unknownRule: 1 }, false],
    [[], false],
    [null, false],
  ])('%j → valid %s', (body, ok) => {
    expect(validateRuleOverrides(body).ok).toBe(ok);
  });

  it('drops `reason` from the stored overrides', () => {
    expect(validateRuleOverrides({ srm: false, reason: 'noisy' })).toEqual({ ok: true, value: { srm: false } });
  });
});
