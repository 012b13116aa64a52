import { MIN_SAMPLE_PER_ARM, type ExperimentResults, type VersionResult } from '../../domain/results';

/** What an alert is about; also the anchor of its runbook section in docs/runbooks.md. */
export const ALERT_METRICS = ['outcome-rate-drop', 'p95-latency-up', 'tokens-per-call-up', 'length-share', 'srm'] as const;
export type AlertMetric = (typeof ALERT_METRICS)[number];

/**
 * A slug's alert rules (and a ramp's guardrails: both use {@link evaluateAlertRules}). A null threshold disables
 * that rule. Relative thresholds compare a version with the baseline (the prod version): 0.10 = 10 %.
 */
export interface AlertRules {
  /** Outcome labels whose rate must not drop (the "good" outcomes). @default ['accepted'] */
  goodOutcomes: string[];
  /** Alert when a good outcome's rate is this much lower than the baseline's, relatively, and significantly. @default 0.10 */
  outcomeDropRelative: number | null;
  /** Significance level of the outcome-drop test (the pooled two-proportion z-test's p-value). @default 0.05 */
  significanceAlpha: number;
  /** Alert when p95 latency is this much above the baseline's, relatively. @default 0.25 */
  p95LatencyUpRelative: number | null;
  /** Alert when tokens per call (prompt + completion) are this much above the baseline's, relatively. @default 0.20 */
  tokensPerCallUpRelative: number | null;
  /** Alert when the share of calls ending with finish_reason `length` is above this, absolutely. @default 0.05 */
  lengthShareAbove: number | null;
  /** Alert on a sample ratio mismatch (the results' SRM check, p < 0.001). @default true */
  srm: boolean;
  /**
   * Outcome events each compared arm needs before latency, tokens or length share can breach (the outcome drop
   * uses the results' own sufficient-sample rule). @default 100
   */
  minCalls: number;
}

/** Defaults taken from practice; a slug's stored overrides replace individual fields. */
export const DEFAULT_ALERT_RULES: Readonly<AlertRules> = Object.freeze({
  goodOutcomes: ['accepted'],
  outcomeDropRelative: 0.1,
  significanceAlpha: 0.05,
  p95LatencyUpRelative: 0.25,
  tokensPerCallUpRelative: 0.2,
  lengthShareAbove: 0.05,
  srm: true,
  minCalls: MIN_SAMPLE_PER_ARM,
});

export type AlertRuleOverrides = Partial<AlertRules>;

export interface Breach {
  slug: string;
  /** The version that breached; null for a sample ratio mismatch, which is about the split, not one version. */
  version: number | null;
  metric: AlertMetric;
  /** The baseline's value of the metric (null when the rule is absolute or the version is the baseline). */
  baselineValue: number | null;
  value: number;
  /** The rule's threshold, as configured (relative for *-up and outcome-rate-drop, absolute for length-share, alpha for srm). */
  threshold: number;
  /** The numbers behind the verdict: relative change, p-value, sample sizes, outcome label. */
  evidence: Record<string, unknown>;
  runbookUrl: string;
}

export interface EvaluateOptions {
  /** Where docs/runbooks.md is served; the metric is appended as the anchor. @default 'docs/runbooks.md' */
  runbookBase?: string;
}

export const DEFAULT_RUNBOOK_BASE = 'docs/runbooks.md';

export function runbookUrl(metric: AlertMetric, base = DEFAULT_RUNBOOK_BASE): string {
  return `${base}#${metric}`;
}

/** The effective rules of a slug: defaults, with its overrides on top. */
export function effectiveRules(overrides: AlertRuleOverrides | null | undefined): AlertRules {
  return { ...DEFAULT_ALERT_RULES, goodOutcomes: [...DEFAULT_ALERT_RULES.goodOutcomes], ...(overrides ?? {}) };
}

/**
 * THE alert and guardrail check: every breach of `rules` in one slug's experiment results. Pure. Versions are
 * compared with the results' baseline; a version without the sample a rule needs never breaches it (no claim without
 * data). Breaches are ordered by version, then metric.
 */
export function evaluateAlertRules(results: ExperimentResults, rules: AlertRules, options: EvaluateOptions = {}): Breach[] {
  const base = options.runbookBase ?? DEFAULT_RUNBOOK_BASE;
  const breaches: Breach[] = [];
  const baseline = results.versions.find((v) => v.version === results.baseline);
  const breach = (version: number | null, metric: AlertMetric, b: Omit<Breach, 'slug' | 'version' | 'metric' | 'runbookUrl'>) =>
    breaches.push({ slug: results.slug, version, metric, ...b, runbookUrl: runbookUrl(metric, base) });

  for (const v of results.versions) {
    if (baseline && v !== baseline) {
      if (rules.outcomeDropRelative !== null) {
        for (const label of rules.goodOutcomes) {
          const candidate = v.outcomes[label];
          const reference = baseline.outcomes[label];
          if (!candidate?.diff || candidate.rate === null || !reference || reference.rate === null || reference.rate <= 0) continue;
          const relative = (candidate.rate - reference.rate) / reference.rate;
          const enough = v.sufficientSample && baseline.sufficientSample;
          if (enough && relative < -rules.outcomeDropRelative && candidate.diff.pValue < rules.significanceAlpha) {
            breach(v.version, 'outcome-rate-drop', {
              baselineValue: reference.rate,
              value: candidate.rate,
              threshold: rules.outcomeDropRelative,
              evidence: {
                outcome: label,
                relativeChange: relative,
                difference: candidate.diff.value,
                differenceCi: candidate.diff.ci,
                pValue: candidate.diff.pValue,
                alpha: rules.significanceAlpha,
                labelled: v.labelled,
                baselineLabelled: baseline.labelled,
              },
            });
          }
        }
      }
      relativeUp(v, baseline, rules.p95LatencyUpRelative, rules.minCalls, (x) => x.latencyMs.p95, 'p95LatencyMs', (value, baselineValue, evidence) =>
        breach(v.version, 'p95-latency-up', { baselineValue, value, threshold: rules.p95LatencyUpRelative as number, evidence }),
      );
      relativeUp(v, baseline, rules.tokensPerCallUpRelative, rules.minCalls, (x) => x.tokensPerCall, 'tokensPerCall', (value, baselineValue, evidence) =>
        breach(v.version, 'tokens-per-call-up', { baselineValue, value, threshold: rules.tokensPerCallUpRelative as number, evidence }),
      );
    }
    if (rules.lengthShareAbove !== null && v.lengthShare !== null && v.calls >= rules.minCalls && v.lengthShare > rules.lengthShareAbove) {
      breach(v.version, 'length-share', {
        baselineValue: v === baseline ? null : (baseline?.lengthShare ?? null),
        value: v.lengthShare,
        threshold: rules.lengthShareAbove,
        evidence: { calls: v.calls, finishReason: 'length' },
      });
    }
  }

  if (rules.srm && results.srm.mismatch && results.srm.pValue !== null) {
    const exposures = Object.fromEntries(results.versions.map((v) => [v.version, v.exposures]));
    breach(null, 'srm', {
      baselineValue: null,
      value: results.srm.pValue,
      threshold: 0.001,
      evidence: { chiSquare: results.srm.chiSquare, degreesOfFreedom: results.srm.degreesOfFreedom, expectedShares: results.srm.expectedShares, exposures },
    });
  }
  return breaches.sort((a, b) => (a.version ?? -1) - (b.version ?? -1) || ALERT_METRICS.indexOf(a.metric) - ALERT_METRICS.indexOf(b.metric));
}

function relativeUp(
  v: VersionResult,
  baseline: VersionResult,
  threshold: number | null,
  minCalls: number,
  read: (x: VersionResult) => number | null,
  name: string,
  onBreach: (value: number, baselineValue: number, evidence: Record<string, unknown>) => void,
): void {
  if (threshold === null || v.calls < minCalls || baseline.calls < minCalls) return;
  const value = read(v);
  const reference = read(baseline);
  if (value === null || reference === null || reference <= 0) return;
  const relative = (value - reference) / reference;
  if (relative > threshold) onBreach(value, reference, { measure: name, relativeChange: relative, calls: v.calls, baselineCalls: baseline.calls });
}

/** Alerts about the same thing in the same dedupe window share this key (delivered at most once per webhook). */
export function alertKey(breach: Breach, windowIndex: number): string {
  const label = typeof breach.evidence.outcome === 'string' ? `:${breach.evidence.outcome}` : '';
  return `${breach.slug}|${breach.version ?? 'all'}|${breach.metric}${label}|${windowIndex}`;
}

export type RulesCheck = { ok: true; value: AlertRuleOverrides } | { ok: false; errors: { field: string; message: string }[] };

const RELATIVE_FIELDS = ['outcomeDropRelative', 'p95LatencyUpRelative', 'tokensPerCallUpRelative', 'lengthShareAbove'] as const;

/** Validates a PUT body of overrides: only known fields, numbers in range, null to disable a threshold. */
export function validateRuleOverrides(raw: unknown): RulesCheck {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, errors: [{ field: 'body', message: 'must be a JSON object of rule fields' }] };
  const body = raw as Record<string, unknown>;
  const errors: { field: string; message: string }[] = [];
  const value: AlertRuleOverrides = {};
  for (const [field, v] of Object.entries(body)) {
    if ((RELATIVE_FIELDS as readonly string[]).includes(field)) {
      if (v === null || (typeof v === 'number' && Number.isFinite(v) && v > 0 && v <= 10)) Object.assign(value, { [field]: v });
      else errors.push({ field, message: 'must be a number in (0, 10] or null to disable' });
    } else if (field === 'significanceAlpha') {
      if (typeof v === 'number' && v > 0 && v < 0.5) value.significanceAlpha = v;
      else errors.push({ field, message: 'must be a number in (0, 0.5)' });
    } else if (field === 'srm') {
      if (typeof v === 'boolean') value.srm = v;
      else errors.push({ field, message: 'must be a boolean' });
    } else if (field === 'minCalls') {
      if (typeof v === 'number' && Number.isInteger(v) && v >= 1 && v <= 1_000_000) value.minCalls = v;
      else errors.push({ field, message: 'must be an integer in [1, 1000000]' });
    } else if (field === 'goodOutcomes') {
      if (Array.isArray(v) && v.length <= 20 && v.every((o) => typeof o === 'string' && o.length > 0 && o.length <= 64)) value.goodOutcomes = [...new Set(v as string[])];
      else errors.push({ field, message: 'must be a list of at most 20 outcome labels' });
    } else if (field !== 'reason') {
      errors.push({ field, message: 'is not a known rule field' });
    }
  }
  return errors.length > 0 ? { ok: false, errors } : { ok: true, value };
}
