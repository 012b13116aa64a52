/**
 * A small typed client of the promptflag HTTP API, for the CLI. It only speaks HTTP: the CLI never reaches the store
 * any other way. Every failure becomes an `ApiError` whose `kind` decides the exit code.
 */

export const DEFAULT_URL = 'http://localhost:3000';
export const DEFAULT_TIMEOUT_MS = 10_000;

export type ApiErrorKind =
  | 'unreachable' // no answer: connection refused, DNS, timeout
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'unprocessable' // 422
  | 'unavailable' // 503: the store is down
  | 'rejected' // any other 4xx
  | 'server'; // any other 5xx, or an answer that is not JSON

export class ApiError extends Error {
  constructor(
    readonly kind: ApiErrorKind,
    message: string,
    readonly status?: number,
    readonly code?: string,
    readonly details?: Record<string, unknown>,
    /** Set for a 404 of an unknown route (no `code`), as opposed to an unknown slug or version. */
    readonly routeMissing = false,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export interface ApiClientOptions {
  baseUrl: string;
  key?: string;
  timeoutMs?: number;
  /** For tests. */
  fetch?: typeof fetch;
}

export interface ApiResponse<T> {
  status: number;
  headers: Headers;
  body: T;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  query?: Record<string, string | number | undefined>;
}

export class ApiClient {
  readonly baseUrl: string;
  private readonly key?: string;
  private readonly timeoutMs: number;
  private readonly fetchImpl: typeof fetch;

  constructor(options: ApiClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.key = options.key;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.fetchImpl = options.fetch ?? fetch;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('GET', path, options).then((r) => r.body);
  }

  post<T>(path: string, body: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body }).then((r) => r.body);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<ApiResponse<T>> {
    const url = new URL(this.baseUrl + path);
    for (const [name, value] of Object.entries(options.query ?? {})) if (value !== undefined) url.searchParams.set(name, String(value));
    const headers: Record<string, string> = { accept: 'application/json', ...options.headers };
    if (this.key) headers.authorization = `Bearer ${this.key}`;
    if (options.body !== undefined) headers['content-type'] = 'application/json';

    let response: Response;
    try {
      response = await this.fetchImpl(url, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      throw unreachable(this.baseUrl, error, this.timeoutMs);
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      throw unreachable(this.baseUrl, error, this.timeoutMs);
    }
    let body: unknown = undefined;
    if (text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (response.ok) {
      if (typeof body === 'string') throw new ApiError('server', `${method} ${path}: the answer is not JSON (is ${this.baseUrl} a promptflag service?)`, response.status);
      return { status: response.status, headers: response.headers, body: body as T };
    }
    throw toApiError(response.status, body, `${method} ${path}`);
  }
}

function unreachable(baseUrl: string, error: unknown, timeoutMs: number): ApiError {
  const err = error as { name?: string; message?: string; cause?: { code?: string; message?: string } };
  if (err?.name === 'TimeoutError' || err?.name === 'AbortError') {
    return new ApiError('unreachable', `promptflag at ${baseUrl} did not answer within ${timeoutMs} ms`);
  }
  const cause = err?.cause?.code ?? err?.cause?.message ?? err?.message ?? String(error);
  return new ApiError('unreachable', `cannot reach promptflag at ${baseUrl} (${cause}); check --url or PROMPTFLAG_URL`);
}

/** Maps an HTTP failure and the service's `{statusCode, error, message, code?, details?}` body to an ApiError. */
export function toApiError(status: number, body: unknown, what: string): ApiError {
  const b = (typeof body === 'object' && body !== null ? body : {}) as { message?: unknown; code?: unknown; details?: unknown };
  const message = typeof b.message === 'string' ? b.message : typeof body === 'string' && body ? body.slice(0, 300) : `${what} failed with HTTP ${status}`;
  const code = typeof b.code === 'string' ? b.code : undefined;
  const details = typeof b.details === 'object' && b.details !== null ? (b.details as Record<string, unknown>) : undefined;
  switch (status) {
    case 401:
      return new ApiError('unauthorized', `authentication failed: ${message} (check --key or PROMPTFLAG_KEY)`, status, code, details);
    case 403:
      return new ApiError('forbidden', `not allowed: ${message}`, status, code, details);
    case 404:
      return new ApiError('not-found', message, status, code, details, code === undefined && /^Cannot [A-Z]+ /.test(message));
    case 409:
      return new ApiError('conflict', message, status, code, details);
    case 422:
      return new ApiError('unprocessable', message, status, code, details);
    case 503:
      return new ApiError('unavailable', `service unavailable (the store may be down): ${message}`, status, code, details);
    default:
      return new ApiError(status >= 500 ? 'server' : 'rejected', message, status, code, details);
  }
}

export const EXIT = {
  OK: 0,
  FAILED: 1,
  USAGE: 2,
  UNAVAILABLE: 3,
  AUTH: 4,
  NOT_FOUND: 5,
} as const;

export function exitCodeFor(error: ApiError): number {
  switch (error.kind) {
    case 'unreachable':
    case 'unavailable':
      return EXIT.UNAVAILABLE;
    case 'unauthorized':
    case 'forbidden':
      return EXIT.AUTH;
    case 'not-found':
      return error.routeMissing ? EXIT.FAILED : EXIT.NOT_FOUND;
    case 'conflict':
    case 'unprocessable':
    case 'rejected':
    case 'server':
      return EXIT.FAILED;
  }
}
