import { Injectable } from '@nestjs/common';
import { PromptResolver } from '../flags/prompt-resolver.service';
import { ServingState } from '../flags/serving-state.service';
import {
  bulkEtag,
  etagMatches,
  ofrepBulkRequestFailure,
  ofrepRequestFailure,
  parseOfrepRequest,
  toOfrepAnswer,
  toOfrepEntry,
  type OfrepAnswer,
  type OfrepBulkFailure,
  type OfrepBulkSuccess,
  type OfrepEvaluationFailure,
  type OfrepEvaluationSuccess,
} from './domain/ofrep-mapping';

export interface OfrepBulkAnswer {
  status: number;
  /** Absent on 304. */
  body?: OfrepBulkSuccess | OfrepBulkFailure;
  etag?: string;
}

/** OFREP evaluations through the resolver every surface uses; no second evaluation path. */
@Injectable()
export class OfrepService {
  constructor(
    private readonly resolver: PromptResolver,
    private readonly state: ServingState,
  ) {}

  /** One flag for one context; a successful answer is counted in the metrics and recorded as an exposure. */
  evaluate(key: string, body: unknown): OfrepAnswer<OfrepEvaluationSuccess | OfrepEvaluationFailure> {
    const request = parseOfrepRequest(body);
    if (!request.ok) return ofrepRequestFailure(key, request);
    const evaluation = this.resolver.evaluate(key, request.context);
    this.resolver.recordServed(key, evaluation, request.context.targetingKey);
    return toOfrepAnswer(key, evaluation);
  }

  /**
   * Every served flag for one context; 304 (no body) when `ifNoneMatch` carries the answer's current ETag. Not
   * recorded as exposures: a bulk answer is a cache a client fills in advance, not prompts it served.
   */
  evaluateAll(body: unknown, ifNoneMatch: string | undefined): OfrepBulkAnswer {
    const request = parseOfrepRequest(body);
    if (!request.ok) return ofrepBulkRequestFailure(request);
    // Export and evaluate without yielding, so the ETag and the answers describe the same document.
    const document = this.state.exportDocument();
    const etag = bulkEtag(document.metadata.version, request.context, this.state.stale);
    if (etagMatches(ifNoneMatch, etag)) return { status: 304, etag };
    const flags = Object.keys(document.flags).map((key) => toOfrepEntry(key, this.resolver.evaluate(key, request.context)));
    return { status: 200, etag, body: { flags, metadata: { flagSetId: document.metadata.flagSetId, version: document.metadata.version } } };
  }
}
