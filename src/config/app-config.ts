import type { Provider } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { EnvironmentVariables } from './env.validation';

/** The validated configuration, injectable by class. Read-only. */
export abstract class AppConfig extends EnvironmentVariables {}

export const appConfigProvider: Provider = {
  provide: AppConfig,
  inject: [ConfigService],
  useFactory: (config: ConfigService): AppConfig => {
    const values = new EnvironmentVariables();
    for (const key of [...Object.keys(values), 'REDIS_URL', 'PROMPTFLAG_ADMIN_KEY'] as (keyof EnvironmentVariables)[]) {
      const value = config.get(key);
      if (value !== undefined) Object.assign(values, { [key]: value });
    }
    return Object.freeze(values);
  },
};
