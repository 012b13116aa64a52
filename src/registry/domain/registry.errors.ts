import { ConflictError, NotFoundError, UnprocessableError } from '../../common/domain/domain-error';
import type { PromptStatus } from './prompt-version';
import type { LintIssue } from './template-lint';

/** The requested status change is not an edge of the lifecycle (see `allowedTransitions`). */
export class TransitionRefusedError extends ConflictError {
  constructor(
    readonly from: PromptStatus,
    readonly to: PromptStatus,
    readonly allowed: readonly PromptStatus[],
    readonly version?: number,
  ) {
    const subject = version === undefined ? 'a version' : `version ${version}`;
    const options = allowed.length === 0 ? 'none' : allowed.join(', ');
    super(`Cannot move ${subject} from ${from} to ${to}; allowed from ${from}: ${options}`, {
      from,
      to,
      allowed: [...allowed],
      ...(version === undefined ? {} : { version }),
    });
  }
}

export class VersionNotFoundError extends NotFoundError {
  constructor(
    readonly version: number,
    readonly slug?: string,
  ) {
    super(slug === undefined ? `No version ${version}` : `Prompt "${slug}" has no version ${version}`, {
      version,
      ...(slug === undefined ? {} : { slug }),
    });
  }
}

/** A template that fails lint cannot be compiled. `details.errors` holds the lint errors. */
export class InvalidTemplateError extends UnprocessableError {
  constructor(readonly errors: readonly LintIssue[]) {
    const first = errors[0];
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
    super(`Template is invalid: ${first ? first.message : 'unknown error'}${more}`, { errors: [...errors] });
  }
}

/** A required variable was given no value. `details.missing` lists every missing required variable. */
export class MissingVariableError extends UnprocessableError {
  constructor(
    readonly variable: string,
    readonly missing: readonly string[] = [variable],
  ) {
    super(
      missing.length > 1
        ? `Missing values for required variables: ${missing.join(', ')}`
        : `Missing value for required variable "${variable}"`,
      { variable, missing: [...missing] },
    );
  }
}

/** Values were given for names the version does not declare (a typo, or values meant for another version). */
export class UndeclaredVariableError extends UnprocessableError {
  constructor(
    readonly variable: string,
    readonly declared: readonly string[],
    readonly undeclared: readonly string[] = [variable],
  ) {
    const names = undeclared.map((name) => `"${name}"`).join(', ');
    super(
      `${undeclared.length > 1 ? `Variables ${names} are` : `Variable ${names} is`} not declared by this version; ` +
        `declared: ${declared.length ? declared.join(', ') : 'none'}`,
      { variable, undeclared: [...undeclared], declared: [...declared] },
    );
  }
}

/** A value is not a string, finite number or boolean. */
export class InvalidVariableValueError extends UnprocessableError {
  constructor(
    readonly variable: string,
    readonly received: string,
  ) {
    super(`Variable "${variable}" must be a string, finite number or boolean; received ${received}`, {
      variable,
      received,
    });
  }
}
