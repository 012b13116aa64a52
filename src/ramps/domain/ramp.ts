import type { Allocation } from '../../rollout/domain/rollout';
import type { RampRecord } from '../../store/ports/ramp-store.port';

export const MAX_RAMP_STEPS = 20;
export const MAX_HOLD_SECONDS = 30 * 86_400;

/** One thing wrong with a ramp request, by field. */
export interface RampProblem {
  field: string;
  message: string;
}

/** Steps are percentages of traffic for the candidate: integers in 1..100, strictly increasing, ending at 100. */
export function validateSteps(steps: unknown): RampProblem[] {
  if (!Array.isArray(steps) || steps.length === 0 || steps.length > MAX_RAMP_STEPS) {
    return [{ field: 'steps', message: `must be a list of 1 to ${MAX_RAMP_STEPS} percentages` }];
  }
  const problems: RampProblem[] = [];
  steps.forEach((step: unknown, i) => {
    if (typeof step !== 'number' || !Number.isInteger(step) || step < 1 || step > 100) problems.push({ field: `steps[${i}]`, message: 'must be an integer percentage in 1..100' });
    else if (i > 0 && typeof steps[i - 1] === 'number' && step <= (steps[i - 1] as number)) problems.push({ field: `steps[${i}]`, message: 'steps must increase' });
  });
  if (problems.length === 0 && steps[steps.length - 1] !== 100) problems.push({ field: 'steps', message: 'the last step must be 100 (reaching 100% promotes the candidate)' });
  return problems;
}

export function validateHold(holdSeconds: unknown): RampProblem[] {
  return typeof holdSeconds === 'number' && Number.isInteger(holdSeconds) && holdSeconds >= 1 && holdSeconds <= MAX_HOLD_SECONDS
    ? []
    : [{ field: 'holdSeconds', message: `must be an integer number of seconds in 1..${MAX_HOLD_SECONDS}` }];
}

/**
 * The split of one step, in basis points, the candidate FIRST: flagd `fractional` buckets users along the list, so
 * growing the first entry only moves users from the baseline to the candidate, never back (users stay sticky).
 */
export function stepAllocation(candidate: number, baseline: number, percent: number): Allocation[] {
  return [
    { version: candidate, weight: percent * 100 },
    { version: baseline, weight: (100 - percent) * 100 },
  ];
}

/** The candidate's share now, in percent; null once the ramp is over (aborted: the baseline has everything). */
export function currentPercent(ramp: RampRecord): number | null {
  if (ramp.status === 'aborted') return null;
  return ramp.steps[ramp.stepIndex] ?? null;
}

/** What GET …/ramps/current answers. */
export function rampView(ramp: RampRecord) {
  return {
    id: ramp.id,
    slug: ramp.slug,
    version: ramp.candidate,
    candidate: ramp.candidate,
    baseline: ramp.baseline,
    status: ramp.status,
    percent: currentPercent(ramp),
    stepIndex: ramp.stepIndex,
    steps: ramp.steps,
    holdSeconds: ramp.holdSeconds,
    nextStepAt: ramp.nextStepAt,
    nextPercent: ramp.status === 'running' || ramp.status === 'paused' ? (ramp.steps[ramp.stepIndex + 1] ?? null) : null,
    guardrails: ramp.guardrails,
    reason: ramp.reason,
    stopReason: ramp.stopReason,
    evidence: ramp.evidence,
    createdAt: ramp.createdAt,
    createdBy: ramp.createdBy,
    updatedAt: ramp.updatedAt,
    history: ramp.history,
  };
}

export type RampView = ReturnType<typeof rampView>;
