import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { run } from '../main';

/** A stand-in service: the rollout is at revision 3, and someone else changes it before our PUT lands. */
describe('rollout --split (against a stand-in service)', () => {
  let server: Server;
  let url: string;
  const requests: { method?: string; url?: string; ifMatch?: string; body: string }[] = [];
  let putStatus = 409;

  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (chunk: Buffer) => (body += chunk.toString()));
      req.on('end', () => {
        requests.push({ method: req.method, url: req.url, ifMatch: req.headers['if-match'], body });
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET') {
          res.end(JSON.stringify({ flagKey: 'x', revision: 3, baseline: 1, allocation: [], rules: [{ match: { tenant: ['acme'] }, version: 2 }], inactive: [], updatedAt: null, updatedBy: null }));
        } else if (putStatus === 409) {
          res.statusCode = 409;
          res.end(JSON.stringify({ statusCode: 409, error: 'Conflict', code: 'STALE_WRITE', message: 'Rollout of "x" changed: revision is 4, not 3' }));
        } else {
          res.end(JSON.stringify({ flagKey: 'x', revision: 4, baseline: 1, allocation: [], ...JSON.parse(body), inactive: [], updatedAt: null, updatedBy: 'me' }));
        }
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function cli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    let stdout = '';
    let stderr = '';
    const out = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((stdout += String(chunk)), true));
    const err = jest.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((stderr += String(chunk)), true));
    try {
      const code = await run(['node', 'promptflag', '--url', url, '--key', 'k', ...args]);
      return { code, stdout, stderr };
    } finally {
      out.mockRestore();
      err.mockRestore();
      process.exitCode = undefined;
    }
  }

  it('sends the revision it read as If-Match, keeps the rules it was not given, and explains a 409', async () => {
    requests.length = 0;
    putStatus = 409;
    const result = await cli(['rollout', 'x', '--split', '2:5,1:95', '--reason', 'canary']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('someone else changed x since it was read (revision 3); nothing was written');
    expect(requests.map((r) => r.method)).toEqual(['GET', 'PUT']);
    expect(requests[1].ifMatch).toBe('"3"');
    expect(JSON.parse(requests[1].body)).toEqual({
      allocation: [{ version: 2, weight: 5 }, { version: 1, weight: 95 }],
      rules: [{ match: { tenant: ['acme'] }, version: 2 }],
      reason: 'canary',
    });
  });

  it('prints the new rollout, or JSON only with --json', async () => {
    putStatus = 200;
    const human = await cli(['rollout', 'x', '--split', '2:5,1:95', '--clear-rules', '--reason', 'canary']);
    expect(human.code).toBe(0);
    expect(human.stdout).toContain('x rollout updated (revision 3 → 4)');
    expect(human.stdout).toContain('split:     v2 5%, v1 95%');
    const json = await cli(['--json', 'rollout', 'x', '--split', '2:5,1:95', '--reason', 'canary']);
    expect(JSON.parse(json.stdout)).toMatchObject({ revision: 4, allocation: [{ version: 2, weight: 5 }, { version: 1, weight: 95 }] });
  });

  it('--statsig-experiment links the weights to Statsig: no allocation is sent, the rules are kept', async () => {
    requests.length = 0;
    putStatus = 200;
    const result = await cli(['rollout', 'x', '--statsig-experiment', 'triage_split', '--reason', 'weights from Statsig']);
    expect(result.code).toBe(0);
    expect(JSON.parse(requests[1].body)).toEqual({ rules: [{ match: { tenant: ['acme'] }, version: 2 }], statsigAllocation: { experiment: 'triage_split' }, reason: 'weights from Statsig' });
    expect(result.stdout).toContain('weights:   from Statsig experiment triage_split');
  });

  it('is a usage error (exit 2) to change it without --reason', async () => {
    requests.length = 0;
    const result = await cli(['rollout', 'x', '--split', '2:5']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--reason');
    expect(requests).toEqual([]);
  });
});
