import { Module } from '@nestjs/common';
import { PromptflagClient } from './promptflag.client';
import { ConfigurableModuleClass } from './promptflag.module-definition';

/**
 * promptflag for consumer services: `PromptflagModule.forRoot({ host, syncPort, apiKey, serviceUrl })` (or
 * `forRootAsync({ imports, inject, useFactory })`), then inject {@link PromptflagClient}. Global by default.
 *
 * @see docs/openfeature.md
 */
@Module({
  providers: [PromptflagClient],
  exports: [PromptflagClient],
})
export class PromptflagModule extends ConfigurableModuleClass {}
