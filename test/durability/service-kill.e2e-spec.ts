import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../helpers/redis-server';
import { versionBody } from '../helpers/create-test-app';
import { waitFor } from '../helpers/seed';

const ROOT = join(__dirname, '..', '..');
const CYCLES = 2;
const WRITERS = 4;

/**
 * The whole service on its embedded default, killed with SIGKILL while writers create versions over HTTP: every
 * version it acknowledged with a 201 must be there, unchanged, after it restarts on the same DATA_DIR.
 */
describe('embedded store: a hard kill of the service process loses no acknowledged version', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'promptflag-kill-'));
  const adminKey = `durability-${randomUUID()}`;
  let port: number;
  let service: ChildProcess | undefined;
  let exited: Promise<unknown> = Promise.resolve();

  beforeAll(async () => {
    port = await freePort();
  });
  afterAll(() => {
    service?.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`http://127.0.0.1:${port}${path}`, {
      method,
      headers: { authorization: `Bearer ${adminKey}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: response.status, body: (await response.json().catch(() => undefined)) as { version: number; contentHash: string } };
  };

  const start = async () => {
    service = spawn(process.execPath, ['-r', join(ROOT, 'test/durability/support/register-ts.js'), join(ROOT, 'src/main.ts')], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: '', PORT: String(port), DATA_DIR: dataDir, PROMPTFLAG_ADMIN_KEY: adminKey, LOG_LEVEL: 'silent', FLAGS_DIR: join(dataDir, 'none'), SYNC_PORT: '0' },
      stdio: 'ignore',
    });
    exited = new Promise((resolve) => service?.once('exit', resolve));
    await waitFor(async () => (await call('GET', '/ready').catch(() => ({ status: 0 }))).status === 200, 30_000);
  };

  it('keeps every acknowledged version across repeated SIGKILLs', async () => {
    const acknowledged: { slug: string; version: number; contentHash: string }[] = [];
    let unknown = 0;
    for (let cycle = 0; cycle < CYCLES; cycle++) {
      await start();
      const target = acknowledged.length + 60;
      let killed = false;
      await Promise.all(
        Array.from({ length: WRITERS }, async (_, writer) => {
          for (let i = 0; !killed; i++) {
            try {
              const res = await call('POST', `/v1/prompts/writer-${writer}/versions`, versionBody({ rationale: `cycle ${cycle} write ${i}` }));
              if (res.status === 201) acknowledged.push({ slug: `writer-${writer}`, version: res.body.version, contentHash: res.body.contentHash });
              else unknown++;
            } catch {
              unknown++; // the connection died with the process: outcome unknown, never counted as acknowledged
            }
            if (!killed && acknowledged.length >= target) {
              killed = true;
              service?.kill('SIGKILL');
            }
          }
        }),
      );
      await exited;
    }
    await start();
    let lost = 0;
    for (const ack of acknowledged) {
      const res = await call('GET', `/v1/prompts/${ack.slug}/versions/${ack.version}`);
      if (res.status !== 200 || res.body.contentHash !== ack.contentHash) lost++;
    }
    console.log(`durability (service process, embedded): acknowledged=${acknowledged.length} lost=${lost} unknown=${unknown} cycles=${CYCLES}`);
    expect(acknowledged.length).toBeGreaterThanOrEqual(CYCLES * 60);
    expect(lost).toBe(0);
  }, 120_000);
});
