import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { AppConfig } from '../config/app-config';
import { AccessLogHooks, LOG_REDACTION } from './http/access-log.hooks';

/**
 * Structured JSON logs (pino): Nest's own log lines through nestjs-pino, and an access line per request with its
 * id, taken from X-Request-Id when the caller sends one (see AccessLogHooks and requestIdOf).
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [AppConfig],
      useFactory: (config: AppConfig) => ({
        pinoHttp: { level: config.LOG_LEVEL, redact: LOG_REDACTION },
        // No nestjs-pino middleware: its per-request pino-http child logger and AsyncLocalStorage cost ~140 µs of a
        // ~370 µs resolve. AccessLogHooks does the request id and the access line from Fastify hooks.
        forRoutes: [],
      }),
    }),
  ],
  providers: [AccessLogHooks],
})
export class LoggingModule {}
