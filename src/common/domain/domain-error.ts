/**
 * Base of every error a service throws on purpose. Services never throw HTTP exceptions: the HTTP filter,
 * the CLI and OFREP each map `code` to their own surface.
 */
export abstract class DomainError extends Error {
  abstract readonly code: string;
  /** Structured details for the client (field names, allowed values). */
  readonly details?: Record<string, unknown>;

  constructor(message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = new.target.name;
    this.details = details;
  }
}

export class NotFoundError extends DomainError {
  readonly code = 'NOT_FOUND';
}

/** A write lost a race (revision, status or chain head moved on); nothing was written. */
export class StaleWriteError extends DomainError {
  readonly code = 'STALE_WRITE';
}

/** The request conflicts with the current state (refused transition, stale If-Match). */
export class ConflictError extends DomainError {
  readonly code = 'CONFLICT';
}

/** Well-formed input that breaks a rule (lint failures, unknown version in a rollout). */
export class UnprocessableError extends DomainError {
  readonly code = 'UNPROCESSABLE';
}

export class PayloadTooLargeError extends DomainError {
  readonly code = 'PAYLOAD_TOO_LARGE';
}

/** The store cannot be reached or did not answer in time. */
export class StoreUnavailableError extends DomainError {
  readonly code = 'STORE_UNAVAILABLE';
}
