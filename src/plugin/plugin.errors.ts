/**
 * A prompt could not be resolved: `errorCode` is the OpenFeature error code (FLAG_NOT_FOUND for a slug promptflag
 * does not serve, TARGETING_KEY_MISSING, PROVIDER_NOT_READY, GENERAL, ...).
 */
export class PromptflagResolveError extends Error {
  constructor(
    readonly slug: string,
    readonly errorCode: string,
    message: string,
  ) {
    super(`Cannot resolve prompt "${slug}" (${errorCode}): ${message}`);
    this.name = PromptflagResolveError.name;
  }
}
