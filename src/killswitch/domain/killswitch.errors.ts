import { ConflictError, UnprocessableError } from '../../common/domain/domain-error';

/** A kill that cannot be served: no safe version to fall back to, or the requested one is unusable (422). */
export class KillTargetRefusedError extends UnprocessableError {}

/** A restore of a slug whose kill switch is off (409). */
export class NotKilledError extends ConflictError {
  constructor(readonly slug: string) {
    super(`Prompt "${slug}" is not killed: nothing to restore`, { slug });
  }
}

/** A rollback to a version that cannot be re-promoted (422). */
export class RollbackRefusedError extends UnprocessableError {}
