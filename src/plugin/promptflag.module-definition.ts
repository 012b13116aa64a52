import { ConfigurableModuleBuilder } from '@nestjs/common';
import type { PromptflagModuleOptions } from './promptflag.options';

/** `forRoot(options)` and `forRootAsync({imports, inject, useFactory})`; global unless `isGlobal: false`. */
export const { ConfigurableModuleClass, MODULE_OPTIONS_TOKEN: PROMPTFLAG_OPTIONS } = new ConfigurableModuleBuilder<PromptflagModuleOptions>({ moduleName: 'Promptflag' })
  .setClassMethodName('forRoot')
  .setExtras({ isGlobal: true }, (definition, extras) => ({ ...definition, global: extras.isGlobal }))
  .build();
