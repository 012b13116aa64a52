import { UnprocessableError } from '../../common/domain/domain-error';

/** One readable schema problem: a JSON pointer into the document and what is wrong there. */
export interface FlagDocumentProblem {
  path: string;
  message: string;
}

/**
 * A flagd document (or a single flag) that flagd-core's strict validation refuses: it breaks the bundled
 * `https://flagd.dev/schema/v0/flags.json` schema, or a structural rule flagd-core enforces on load
 * (e.g. `defaultVariant` must name a variant).
 */
export class InvalidFlagDocumentError extends UnprocessableError {
  constructor(readonly problems: FlagDocumentProblem[]) {
    super(
      `Invalid flagd flag document: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`,
      { problems },
    );
  }
}

/** A prompt flag cannot be built from the given versions (a version the rollout names was not supplied). */
export class PromptFlagBuildError extends UnprocessableError {}

/** A flag handed to the GitOps import is not in the shape `buildPromptFlag` produces. */
export class PromptFlagParseError extends UnprocessableError {
  constructor(
    readonly flagKey: string,
    readonly reason: string,
  ) {
    super(`Flag "${flagKey}" is not a promptflag prompt flag: ${reason}`, { flagKey, reason });
  }
}
