import { ApiClient, ApiError, exitCodeFor } from './api-client';

function clientAnswering(status: number, body: unknown, headers: Record<string, string> = {}): { client: ApiClient; calls: { url: string; init: RequestInit }[] } {
  const calls: { url: string; init: RequestInit }[] = [];
  const fake = (async (url: URL, init: RequestInit) => {
    calls.push({ url: String(url), init });
    return new Response(typeof body === 'string' ? body : JSON.stringify(body), { status, headers: { 'content-type': 'application/json', ...headers } });
  }) as unknown as typeof fetch;
  return { client: new ApiClient({ baseUrl: 'http://pf.test/', key: 'k1', fetch: fake }), calls };
}

async function failure(status: number, body: unknown): Promise<ApiError> {
  const error = await clientAnswering(status, body).client.get('/v1/x').catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

describe('ApiClient', () => {
  it('sends the key, JSON and query, and returns the parsed body', async () => {
    const { client, calls } = clientAnswering(200, { ok: true });
    await expect(client.post('/v1/lint', { template: 'x' }, { query: { limit: 5, slug: undefined } })).resolves.toEqual({ ok: true });
    expect(calls[0].url).toBe('http://pf.test/v1/lint?limit=5');
    expect(calls[0].init.headers).toMatchObject({ authorization: 'Bearer k1', 'content-type': 'application/json' });
    expect(calls[0].init.body).toBe('{"template":"x"}');
  });

  it.each([
    [401, { message: 'Invalid API key' }, 'unauthorized', 4],
    [403, { message: 'Requires role experimenter' }, 'forbidden', 4],
    [404, { message: 'No prompt "x"', code: 'NOT_FOUND' }, 'not-found', 5],
    [404, { message: 'Cannot POST /v1/prompts/x/ramps', error: 'Not Found' }, 'not-found', 1],
    [409, { message: 'stale', code: 'STALE_WRITE' }, 'conflict', 1],
    [422, { message: 'lint', code: 'LINT_FAILED', details: { errors: [] } }, 'unprocessable', 1],
    [400, { message: 'bad' }, 'rejected', 1],
    [429, { message: 'slow down' }, 'rejected', 1],
    [500, { message: 'Internal server error' }, 'server', 1],
    [503, { message: 'store down', code: 'STORE_UNAVAILABLE' }, 'unavailable', 3],
  ] as const)('maps HTTP %i %j to %s (exit %i)', async (status, body, kind, exit) => {
    const error = await failure(status, body);
    expect(error.kind).toBe(kind);
    expect(exitCodeFor(error)).toBe(exit);
  });

  it('keeps the code and details of a 422, and tells an unknown route from an unknown slug', async () => {
    const lint = await failure(422, { message: 'lint', code: 'LINT_FAILED', details: { errors: [{ code: 'UNDECLARED_VARIABLE' }] } });
    expect(lint).toMatchObject({ code: 'LINT_FAILED', details: { errors: [{ code: 'UNDECLARED_VARIABLE' }] }, routeMissing: false });
    expect((await failure(404, { message: 'Cannot GET /v1/x' })).routeMissing).toBe(true);
    expect((await failure(404, { message: 'No prompt', code: 'NOT_FOUND' })).routeMissing).toBe(false);
  });

  it('reports a connection failure or a timeout as unreachable (exit 3)', async () => {
    const refused = new ApiClient({ baseUrl: 'http://pf.test', fetch: (async () => { throw new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }); }) as unknown as typeof fetch });
    const error = (await refused.get('/v1/x').catch((e: unknown) => e)) as ApiError;
    expect(error).toMatchObject({ kind: 'unreachable' });
    expect(error.message).toContain('ECONNREFUSED');
    expect(exitCodeFor(error)).toBe(3);

    const slow = new ApiClient({
      baseUrl: 'http://pf.test',
      timeoutMs: 20,
      fetch: ((_url: URL, init: RequestInit) => new Promise((_resolve, reject) => init.signal?.addEventListener('abort', () => reject(init.signal?.reason)))) as unknown as typeof fetch,
    });
    const timeout = (await slow.get('/v1/x').catch((e: unknown) => e)) as ApiError;
    expect(timeout.kind).toBe('unreachable');
    expect(timeout.message).toContain('did not answer within 20 ms');
  });

  it('refuses a 2xx answer that is not JSON (not a promptflag service)', async () => {
    const error = await clientAnswering(200, '<html>hi</html>').client.get('/v1/x').catch((e: unknown) => e);
    expect(error).toMatchObject({ kind: 'server' });
  });
});
