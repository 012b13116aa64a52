import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DomainError } from '../domain/domain-error';

const STATUS_BY_CODE: Record<string, number> = {
  NOT_FOUND: HttpStatus.NOT_FOUND,
  CONFLICT: HttpStatus.CONFLICT,
  STALE_WRITE: HttpStatus.CONFLICT,
  UNPROCESSABLE: HttpStatus.UNPROCESSABLE_ENTITY,
  PAYLOAD_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  STORE_UNAVAILABLE: HttpStatus.SERVICE_UNAVAILABLE,
};

/** Fastify's own errors, raised before a handler runs. */
const STATUS_BY_FASTIFY_CODE: Record<string, number> = {
  FST_ERR_CTP_BODY_TOO_LARGE: HttpStatus.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
  FST_ERR_CTP_EMPTY_JSON_BODY: HttpStatus.BAD_REQUEST,
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: HttpStatus.BAD_REQUEST,
  FST_ERR_CTP_INVALID_JSON_BODY: HttpStatus.BAD_REQUEST,
};

export interface ErrorBody {
  statusCode: number;
  error: string;
  message: string;
  code?: string;
  details?: Record<string, unknown>;
}

/** One JSON error shape for every failure: `{statusCode, error, message}`, plus the domain `code` and `details`. */
@Catch()
export class DomainErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger(DomainErrorFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    const { body, headers } = this.toResponse(exception, http.getRequest<FastifyRequest>());
    for (const [name, value] of Object.entries(headers)) reply.header(name, value);
    reply.status(body.statusCode).send(body);
  }

  private toResponse(exception: unknown, request: FastifyRequest): { body: ErrorBody; headers: Record<string, string> } {
    if (exception instanceof DomainError) {
      const statusCode = STATUS_BY_CODE[exception.code] ?? HttpStatus.INTERNAL_SERVER_ERROR;
      return { body: errorBody(statusCode, exception.message, exception.code, exception.details), headers: {} };
    }
    if (exception instanceof HttpException) return fromHttpException(exception);
    const fastifyCode = (exception as { code?: unknown } | null)?.code;
    const fastifyStatus = typeof fastifyCode === 'string' ? STATUS_BY_FASTIFY_CODE[fastifyCode] : undefined;
    if (fastifyStatus) return { body: errorBody(fastifyStatus, (exception as Error).message), headers: {} };
    if ((exception as { statusCode?: unknown } | null)?.statusCode === 400) {
      return { body: errorBody(HttpStatus.BAD_REQUEST, `Body is not valid JSON: ${(exception as Error).message}`), headers: {} };
    }
    logUnexpected(this.logger, exception, request);
    return { body: errorBody(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error'), headers: {} };
  }
}

/** An unexpected failure, with the request id so it can be matched to the caller's X-Request-Id and access line. */
export function logUnexpected(logger: Logger, exception: unknown, request: FastifyRequest): void {
  logger.error({ reqId: request.id, err: exception instanceof Error ? exception : new Error(String(exception)) }, 'Unexpected error while handling the request');
}

/** An HttpException may carry response headers (Retry-After, Allow) under `headers`. */
export class HttpExceptionWithHeaders extends HttpException {
  constructor(
    response: string | Record<string, unknown>,
    status: number,
    readonly headers: Record<string, string>,
  ) {
    super(response, status);
  }
}

function fromHttpException(exception: HttpException): { body: ErrorBody; headers: Record<string, string> } {
  const response = exception.getResponse();
  const statusCode = exception.getStatus();
  const headers = exception instanceof HttpExceptionWithHeaders ? exception.headers : {};
  if (typeof response === 'string') return { body: errorBody(statusCode, response), headers };
  const { message, code, details } = response as { message?: unknown; code?: string; details?: Record<string, unknown> };
  const text = Array.isArray(message) ? message.join('; ') : String(message ?? exception.message);
  return { body: errorBody(statusCode, text, code, details), headers };
}

export function errorBody(statusCode: number, message: string, code?: string, details?: Record<string, unknown>): ErrorBody {
  const error = HTTP_REASON[statusCode] ?? 'Error';
  return { statusCode, error, message, ...(code ? { code } : {}), ...(details ? { details } : {}) };
}

const HTTP_REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Entity',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};
