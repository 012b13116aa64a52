import { Injectable, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { RouteConfig } from '@nestjs/platform-fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { REQUEST_ID_HEADER } from './request-id';

/** Secrets an access line must never carry (the logger's `redact` option). */
export const LOG_REDACTION = { paths: ['req.headers.authorization', 'req.headers["x-api-key"]'], censor: '[redacted]' };

/** Probes poll these; a line per poll would drown the log. */
const UNLOGGED_PATHS = new Set(['/health', '/ready']);

interface AccessLogRouteConfig {
  quietSuccess?: boolean;
}

/**
 * On a hot evaluation route: log only failed requests (status ≥ 400). At thousands of requests per second an
 * access line per success is mostly noise; the metrics count them.
 */
export const LogFailuresOnly = () => RouteConfig({ quietSuccess: true } satisfies AccessLogRouteConfig);

/**
 * Echoes the request id (see requestIdOf) as X-Request-Id and writes one access line per request at info level:
 * `{reqId, req, res, responseTime}`, "request completed" (or "request errored" for a 5xx). Plain Fastify hooks
 * rather than a per-request child logger and AsyncLocalStorage (nestjs-pino's middleware), which cost more than
 * the resolve itself.
 */
@Injectable()
export class AccessLogHooks implements OnModuleInit {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly pino: PinoLogger,
  ) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (typeof instance?.addHook !== 'function') return;
    const log = this.pino.logger;
    instance.addHook('onRequest', function echoRequestId(request, reply, done) {
      reply.header(REQUEST_ID_HEADER, request.id);
      done();
    });
    instance.addHook('onResponse', function logAccess(request, reply, done) {
      if (log.isLevelEnabled('info') && shouldLog(request, reply)) {
        const failed = reply.statusCode >= 500;
        log.info({ reqId: request.id, req: requestFields(request), res: { statusCode: reply.statusCode }, responseTime: reply.elapsedTime }, failed ? 'request errored' : 'request completed');
      }
      done();
    });
  }
}

function shouldLog(request: FastifyRequest, reply: FastifyReply): boolean {
  if (UNLOGGED_PATHS.has(request.url)) return false;
  return reply.statusCode >= 400 || (request.routeOptions.config as AccessLogRouteConfig | undefined)?.quietSuccess !== true;
}

function requestFields(request: FastifyRequest) {
  return { method: request.method, url: request.url, headers: request.headers, remoteAddress: request.ip };
}
