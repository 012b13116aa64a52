/**
 * The promptflag package's public API: the NestJS plugin for consumer services. The service itself starts from
 * `dist/main.js`.
 */
export { PromptflagModule } from './plugin/promptflag.module';
export { PromptflagClient, PROMPTFLAG_DOMAIN, type PromptflagContext, type PromptflagResolution } from './plugin/promptflag.client';
export { PROMPTFLAG_OPTIONS } from './plugin/promptflag.module-definition';
export type { PromptflagExposureOptions, PromptflagInProcessOptions, PromptflagMode, PromptflagModuleOptions } from './plugin/promptflag.options';
export type { Exposure, ExposureStats } from './plugin/exposure.sender';
export { PromptflagResolveError } from './plugin/plugin.errors';
export { InvalidVariableValueError, MissingVariableError, UndeclaredVariableError } from './registry/domain/registry.errors';
/** The value every prompt flag variant resolves to, for consumers that evaluate with their own OpenFeature client. */
export type { PromptFlagValue } from './flags/domain/prompt-flag';
