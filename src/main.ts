import 'reflect-metadata';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { configureApp, createFastifyAdapter } from './app.factory';
import { AppModule } from './app.module';
import { AppConfig } from './config/app-config';
import { validateEnvironment } from './config/env.validation';

async function bootstrap(): Promise<void> {
  const env = validateEnvironment(process.env);
  const app = await NestFactory.create<NestFastifyApplication>(AppModule, createFastifyAdapter(env.BODY_LIMIT_BYTES), { bufferLogs: true });
  configureApp(app);
  const config = app.get(AppConfig);
  await app.listen(config.PORT, '0.0.0.0');
  process.stdout.write(
    `promptflag listening on http://localhost:${config.PORT} (store: ${config.REDIS_URL ? 'redis' : `embedded, ${config.DATA_DIR}`}); API docs at /docs\n`,
  );
}

bootstrap().catch((error: unknown) => {
  process.stderr.write(`promptflag failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
