import { Injectable } from '@nestjs/common';
import { EventSink } from '../experiments/event-sink';
import type { ExposureRecord, OutcomeRecord } from '../experiments/domain/experiment-records';
import { StatsigService } from './statsig.service';
import type { StatsigWriter } from './statsig-reader';

export const EXPOSURE_EVENT = 'promptflag_exposure';
export const OUTCOME_EVENT = 'promptflag_outcome';

/**
 * Logs exposures and accepted outcomes to Statsig as events (statsig-node batches and sends them itself), with
 * `user = {userID: <SHA-256 of the targeting key>}`: Statsig never sees a raw key. A no-op while Statsig is off.
 */
@Injectable()
export class StatsigEventSink extends EventSink {
  constructor(private readonly statsig: StatsigService) {
    super();
  }

  get active(): boolean {
    return this.statsig.enabled;
  }

  exposures(batch: readonly ExposureRecord[]): void {
    const client = this.statsig.client;
    if (client) logExposures(client, batch);
  }

  outcomes(batch: readonly { record: OutcomeRecord; subjectHash: string }[]): void {
    const client = this.statsig.client;
    if (client) logOutcomes(client, batch);
  }
}

export function logExposures(client: StatsigWriter, batch: readonly ExposureRecord[]): void {
  for (const e of batch) {
    client.logEvent({ userID: e.targetingKeyHash }, EXPOSURE_EVENT, e.slug, { slug: e.slug, version: String(e.version), variant: e.variant, revision: String(e.revision) });
  }
}

export function logOutcomes(client: StatsigWriter, batch: readonly { record: OutcomeRecord; subjectHash: string }[]): void {
  for (const { record: r, subjectHash } of batch) {
    const metadata: Record<string, string> = { slug: r.slug, version: String(r.version), eventId: r.id };
    if (r.outcome !== undefined) metadata.outcome = r.outcome;
    if (r.latencyMs !== undefined) metadata.latencyMs = String(r.latencyMs);
    if (r.promptTokens !== undefined) metadata.promptTokens = String(r.promptTokens);
    if (r.completionTokens !== undefined) metadata.completionTokens = String(r.completionTokens);
    if (r.finishReason !== undefined) metadata.finishReason = r.finishReason;
    if (r.score !== undefined) metadata.score = String(r.score);
    client.logEvent({ userID: subjectHash }, OUTCOME_EVENT, r.outcome ?? r.slug, metadata);
  }
}
