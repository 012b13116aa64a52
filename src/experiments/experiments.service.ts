import { Injectable, Optional } from '@nestjs/common';
import { UnprocessableError } from '../common/domain/domain-error';
import { sharesFromAllocation } from '../flags/domain/rollout-validation';
import { EventsObserver } from '../metrics/observers';
import { RolloutService } from '../rollout/rollout.service';
import { ExperimentStore, MAX_READ_HOURS } from '../store/ports/experiment-store.port';
import { type FieldError, validateExposure, validateOutcomeEvent } from './domain/event-validation';
import { HOUR_MS, hourOf, type ExposureRecord, type OutcomeRecord } from './domain/experiment-records';
import { buildResults, type ExperimentResults } from './domain/results';
import { EventSink } from './event-sink';
import { sha256Hex } from '../common/domain/canonical-hash';

export interface EventResult {
  index: number;
  status: 'accepted' | 'duplicate' | 'refused';
  errors?: FieldError[];
}

export interface BatchAnswer {
  accepted: number;
  duplicates: number;
  refused: number;
  /** One entry per event, in order. */
  results: EventResult[];
}

export interface ExposureBatchAnswer {
  accepted: number;
  refused: number;
  /** Only the refused exposures. */
  errors: { index: number; errors: FieldError[] }[];
}

/** Default results window. */
export const DEFAULT_WINDOW_MS = 24 * HOUR_MS;

/** Takes exposures and outcome events in, and turns the stored aggregates into experiment results. */
@Injectable()
export class ExperimentsService {
  constructor(
    private readonly store: ExperimentStore,
    private readonly rollouts: RolloutService,
    @Optional() private readonly observer?: EventsObserver,
    @Optional() private readonly sink?: EventSink,
  ) {}

  /** Validates each event; stores the valid ones (idempotent by id); answers per index. */
  async recordEvents(events: unknown[], now = Date.now()): Promise<BatchAnswer> {
    const results: EventResult[] = new Array(events.length);
    const valid: { index: number; record: OutcomeRecord }[] = [];
    events.forEach((raw, index) => {
      const checked = validateOutcomeEvent(raw, now);
      if (checked.ok) valid.push({ index, record: checked.value });
      else results[index] = { index, status: 'refused', errors: checked.errors };
    });
    const statuses = await this.store.recordOutcomes(valid.map((v) => v.record));
    valid.forEach(({ index }, i) => (results[index] = { index, status: statuses[i] }));
    const answer = {
      accepted: statuses.filter((s) => s === 'accepted').length,
      duplicates: statuses.filter((s) => s === 'duplicate').length,
      refused: events.length - valid.length,
      results,
    };
    this.observer?.eventsIngested({ accepted: answer.accepted, duplicate: answer.duplicates, refused: answer.refused });
    if (this.sink?.active && answer.accepted > 0) {
      this.sink.outcomes(valid.filter((_, i) => statuses[i] === 'accepted').map(({ index, record }) => ({ record, subjectHash: subjectHash(events[index]) })));
    }
    return answer;
  }

  /** Exposures from in-process clients (the plugin's hook), targeting keys already hashed. */
  async recordExposures(exposures: unknown[], now = Date.now()): Promise<ExposureBatchAnswer> {
    const valid: ExposureRecord[] = [];
    const errors: { index: number; errors: FieldError[] }[] = [];
    exposures.forEach((raw, index) => {
      const checked = validateExposure(raw, now);
      if (checked.ok) valid.push(checked.value);
      else errors.push({ index, errors: checked.errors });
    });
    await this.store.recordExposures(valid);
    return { accepted: valid.length, refused: errors.length, errors };
  }

  /**
   * Results over [from, to): per version against the current prod version, and the SRM check against the rollout's
   * configured split. Hours are whole: the window is widened to the hours it touches.
   */
  async results(slug: string, from: Date, to: Date, now = new Date()): Promise<ExperimentResults> {
    if (!(from.getTime() < to.getTime())) throw new UnprocessableError('`from` must be before `to`', { from: from.toISOString(), to: to.toISOString() });
    const fromHour = hourOf(from.getTime());
    const toHour = hourOf(to.getTime() - 1);
    if (toHour - fromHour + 1 > MAX_READ_HOURS) {
      throw new UnprocessableError(`the window spans more than ${MAX_READ_HOURS / 24} days`, { maxHours: MAX_READ_HOURS });
    }
    const [rollout, aggregates] = await Promise.all([this.rollouts.get(slug), this.store.readAggregates(slug, fromHour, toHour)]);
    return buildResults({
      slug,
      from,
      to,
      now,
      baseline: rollout.baseline,
      aggregates,
      allocation: sharesFromAllocation(rollout.allocation),
    });
  }
}

/** SHA-256 of an event's targetingKey (or requestId): the subject other systems see, never the key itself. */
function subjectHash(raw: unknown): string {
  const event = raw as { targetingKey?: unknown; requestId?: unknown };
  const subject = typeof event.targetingKey === 'string' ? event.targetingKey : String(event.requestId ?? '');
  return sha256Hex(subject);
}
