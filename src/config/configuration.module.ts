import { Global, Module } from '@nestjs/common';
import { ConfigModule } from '@nestjs/config';
import { appConfigProvider, AppConfig } from './app-config';
import { validateEnvironment } from './env.validation';

/** Loads .env and the environment once, validates it (failing fast, naming every bad variable) and provides AppConfig. */
@Global()
@Module({
  imports: [ConfigModule.forRoot({ validate: validateEnvironment, cache: true })],
  providers: [appConfigProvider],
  exports: [AppConfig],
})
export class ConfigurationModule {}
