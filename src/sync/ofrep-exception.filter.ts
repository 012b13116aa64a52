import { type ArgumentsHost, Catch, type ExceptionFilter, Injectable, Logger, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { logUnexpected } from '../common/http/domain-error.filter';
import { OfrepAuthError } from './ofrep-auth.guard';

/** Route prefix of the OFREP evaluation endpoints (single and bulk). */
export const OFREP_EVALUATE_PATH = '/ofrep/v1/evaluate/flags';

const BODY_ERROR = Symbol('ofrepBodyError');

type OfrepRequest = FastifyRequest & { [BODY_ERROR]?: Error };

/**
 * Errors on OFREP routes, in OFREP's shapes: 401/403/429 with no body (429 with Retry-After), anything unexpected a
 * 500 `{key, errorCode: GENERAL, errorDetails}` (the single-flag form the OFREP providers recognise; the bulk form
 * has no key).
 */
@Catch()
export class OfrepExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger(OfrepExceptionFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    if (exception instanceof OfrepAuthError) {
      for (const [name, value] of Object.entries(exception.headers)) reply.header(name, value);
      reply.status(exception.status).send();
      return;
    }
    const request = http.getRequest<FastifyRequest>();
    logUnexpected(this.logger, exception, request);
    const key = flagKeyOf(request);
    const errorDetails = 'Internal error while evaluating';
    reply.status(500).send(key === undefined ? { errorCode: 'GENERAL', errorDetails } : { key, errorCode: 'GENERAL', errorDetails });
  }
}

/**
 * Body errors (malformed JSON, a non-JSON content type) happen in Fastify before any Nest handler, guard or
 * controller filter runs, so they would get the service's generic error body. On OFREP routes these hooks turn them
 * into OFREP's 400 PARSE_ERROR: `onError` marks the request, `onSend` replaces what the global handler rendered.
 * A body too large keeps its 413.
 */
@Injectable()
export class OfrepBodyErrorHooks implements OnModuleInit {
  constructor(private readonly adapterHost: HttpAdapterHost) {}

  onModuleInit(): void {
    const instance = this.adapterHost.httpAdapter?.getInstance<FastifyInstance>();
    if (typeof instance?.addHook !== 'function') return;
    // Callback-style hooks: onSend runs for every response of the app, so keep it to one property check.
    instance.addHook('onError', (request: OfrepRequest, _reply, error, done) => {
      if (isOfrepRoute(request) && isBodyError(error)) request[BODY_ERROR] = error;
      done();
    });
    instance.addHook('onSend', (request: OfrepRequest, reply, payload, done) => {
      const error = request[BODY_ERROR];
      if (error === undefined) return done(null, payload);
      const key = flagKeyOf(request);
      const errorDetails = `The request body is not valid JSON: ${error.message}`;
      reply.status(400).header('content-type', 'application/json; charset=utf-8');
      done(null, JSON.stringify(key === undefined ? { errorCode: 'PARSE_ERROR', errorDetails } : { key, errorCode: 'PARSE_ERROR', errorDetails }));
    });
  }
}

function isOfrepRoute(request: FastifyRequest): boolean {
  return request.routeOptions?.url?.startsWith(OFREP_EVALUATE_PATH) === true;
}

function isBodyError(error: Error): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string') return code.startsWith('FST_ERR_CTP_') && code !== 'FST_ERR_CTP_BODY_TOO_LARGE';
  return (error as { statusCode?: unknown }).statusCode === 400;
}

function flagKeyOf(request: FastifyRequest): string | undefined {
  const key = (request.params as { key?: unknown } | undefined)?.key;
  return typeof key === 'string' ? key : undefined;
}
