import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createTestApp, type TestApp } from '../helpers/create-test-app';

// Each child transpiles the CLI on start (~1–2 s, more on a busy machine): spawns are batched and run in parallel.
jest.setTimeout(180_000);

const ROOT = resolve(__dirname, '../..');
const REGISTER = join(ROOT, 'test/durability/support/register-ts.js');
const MAIN = join(ROOT, 'src/cli/main.ts');

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as a child process, as a user would (transpiled on the fly by the register hook). */
function cli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      ['-r', REGISTER, MAIN, ...args],
      { cwd: ROOT, env: { ...process.env, GITHUB_ACTIONS: 'false', ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

const promptFile = (slug: string, body: string, variables = '  - name: company\n    required: true\n  - name: ticket\n    required: true\n') =>
  `---\nslug: ${slug}\nmodel: gpt-4o-2024-08-06\nrationale: written by the CLI e2e test\nvariables:\n${variables}---\n${body}\n`;

describe('promptflag CLI (child process against the real app, embedded store)', () => {
  let t: TestApp;
  let dir: string;
  let env: Record<string, string>;
  const slug = 'cli-triage';

  beforeAll(async () => {
    t = await createTestApp({ store: 'embedded' });
    env = { PROMPTFLAG_URL: t.baseUrl, PROMPTFLAG_KEY: t.adminKey };
    dir = mkdtempSync(join(tmpdir(), 'promptflag-cli-'));
    writeFileSync(join(dir, 'v1.md'), promptFile(slug, 'v1: triage for {{company}}: {{ticket}}'));
    writeFileSync(join(dir, 'v2.md'), promptFile(slug, 'v2: you triage tickets for {{company}}.\nTicket: {{ticket}}'));
    mkdirSync(join(dir, 'prompts'));
    writeFileSync(join(dir, 'prompts/good.prompt.md'), promptFile('good-one', 'Hello {{company}}, about {{ticket}}'));
    // Line 12 of the file, column 20: an undeclared {{tickets}}.
    writeFileSync(join(dir, 'prompts/bad.prompt.md'), promptFile('bad-one', 'Hello {{company}}.\nAbout your ticket: {{tickets}}'));
    writeFileSync(join(dir, 'prompts/README.md'), '# not a prompt: no front matter\n');
  });

  afterAll(async () => {
    await t?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('push creates a version, and re-pushing the same file creates no second one', async () => {
    const first = await cli(['push', join(dir, 'v1.md')], env);
    expect(first).toMatchObject({ code: 0, stderr: '' });
    expect(first.stdout).toMatch(/^cli-triage v1 created \(draft\) sha256:[0-9a-f]{12}\n$/);

    const again = await cli(['push', join(dir, 'v1.md')], env);
    expect(again.code).toBe(0);
    expect(again.stdout).toMatch(/^cli-triage v1 already exists \(draft\)/);

    const versions = await cli(['versions', slug, '--json'], env);
    expect(versions.code).toBe(0);
    expect(JSON.parse(versions.stdout)).toMatchObject({ total: 1, items: [{ version: 1, status: 'draft' }] });

    const second = await cli(['push', join(dir, 'v2.md'), '--json'], env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ slug, version: 2, status: 'draft', created: true });
  });

  it('lint: locally and remotely, file:line:col, exit 1 on an error, GitHub annotations, JSON', async () => {
    const prompts = join(dir, 'prompts');
    const bad = join(prompts, 'bad.prompt.md');
    const [github, json, remote] = await Promise.all([
      cli(['lint', prompts], { GITHUB_ACTIONS: 'true' }),
      cli(['lint', prompts, '--json'], {}),
      cli(['lint', prompts, '--remote'], env),
    ]);
    const expectedLine = `${bad}:12:20 error UNDECLARED_VARIABLE Placeholder "{{tickets}}"`;
    expect(github.code).toBe(1);
    expect(github.stdout).toContain(expectedLine);
    expect(github.stdout).toContain(`${bad}:8:1 error REQUIRED_VARIABLE_UNUSED`);
    expect(github.stdout).toContain(`::error file=${bad},line=12,col=20,title=UNDECLARED_VARIABLE::Placeholder "{{tickets}}"`);
    expect(github.stdout).not.toContain('good.prompt.md');
    expect(github.stdout).not.toContain('README.md');
    expect(github.stdout).toContain('2 file(s): 2 error(s), 0 warning(s)');

    expect(json.code).toBe(1);
    const report = JSON.parse(json.stdout);
    expect(report).toMatchObject({ ok: false, errors: 2, warnings: 0 });
    expect(report.files).toEqual([
      { file: bad, issues: [expect.objectContaining({ code: 'REQUIRED_VARIABLE_UNUSED' }), expect.objectContaining({ code: 'UNDECLARED_VARIABLE', line: 12, column: 20 })] },
      { file: join(prompts, 'good.prompt.md'), issues: [] },
    ]);

    expect(remote.code).toBe(1);
    expect(remote.stdout).toContain(expectedLine);
    expect(remote.stdout).not.toContain('::error'); // annotations only when GITHUB_ACTIONS=true
  });

  it('promote, rollout set and show, status and audit, with --json parsed', async () => {
    expect((await t.call('POST', `/v1/prompts/${slug}/versions/1/status`, { body: { status: 'staging', reason: 'seed' } })).status).toBe(200);
    expect((await t.call('POST', `/v1/prompts/${slug}/versions/2/status`, { body: { status: 'staging', reason: 'seed' } })).status).toBe(200);
    const ungated = await cli(['promote', slug, '1', '--to', 'prod', '--reason', 'no eval yet'], env);
    expect(ungated.code).toBe(1); // 409
    expect(ungated.stderr).toMatch(/version 1 cannot go to prod: unmet gate eval \(no eval result attached/);
    const evals = await Promise.all([1, 2].map((v) => cli(['eval', slug, String(v), '--suite-hash', 'suite-cli', '--score', '0.93', '--passed', '--run-url', 'https://ci.example.com/r/1', '--json'], env)));
    expect(evals.map((e) => e.code)).toEqual([0, 0]);
    expect(JSON.parse(evals[0].stdout)).toMatchObject({ version: 1, cleared: true, evals: [{ suiteHash: 'suite-cli', score: 0.93, passed: true }] });
    const promote = await cli(['promote', slug, '1', '--to', 'prod', '--reason', 'cli e2e prod', '--json'], env);
    expect(promote.code).toBe(0);
    expect(JSON.parse(promote.stdout)).toMatchObject({ slug, version: 1, status: 'prod' });

    const set = await cli(['rollout', slug, '--split', '2:5,1:95', '--rule', 'tenant=acme:2', '--bucket-by', 'sessionId', '--reason', 'canary v2', '--json'], env);
    expect(set.code).toBe(0);
    const rollout = JSON.parse(set.stdout);
    expect(rollout).toMatchObject({
      allocation: [{ version: 2, weight: 5 }, { version: 1, weight: 95 }],
      rules: [{ match: { tenant: ['acme'] }, version: 2 }],
      bucketBy: 'sessionId',
      baseline: 1,
    });

    const [show, status, statusJson, audit] = await Promise.all([
      cli(['rollout', slug], env),
      cli(['status', slug], env),
      cli(['status', slug, '--json'], env),
      cli(['audit', '--slug', slug, '--limit', '10', '--json'], env),
    ]);
    expect(show.code).toBe(0);
    expect(show.stdout).toContain('split:     v2 5%, v1 95%');
    expect(show.stdout).toContain('rule:      tenant=acme → v2');
    expect(status.code).toBe(0);
    expect(status.stdout).toContain('prod:      v1');
    expect(status.stdout).toContain('kill:      not killed');
    expect(JSON.parse(statusJson.stdout)).toMatchObject({
      slug,
      prodVersion: 1,
      latestVersion: 2,
      kill: { killed: false },
      rollout: { allocation: rollout.allocation },
      versions: [{ version: 2, status: 'staging' }, { version: 1, status: 'prod' }],
    });
    const actions = JSON.parse(audit.stdout).items.map((e: { action: string; reason?: string }) => [e.action, e.reason]);
    expect(actions[0]).toEqual(['rollout.replaced', 'canary v2']);
    expect(actions).toContainEqual(['version.status_changed', 'cli e2e prod']);
  });

  it('gates, policy and approve: a high-stakes slug needs someone other than the author', async () => {
    const [highStakes, gatesBefore, badEval] = await Promise.all([
      cli(['policy', slug, '--high-stakes', 'yes', '--reason', 'billing answers'], env),
      cli(['gates', slug, '2'], env),
      cli(['eval', slug, '2', '--suite-hash', 's', '--score', 'high', '--passed'], env),
    ]);
    expect(highStakes).toMatchObject({ code: 0, stdout: 'cli-triage: eval gate the run’s verdict; high-stakes (approval required); canary up to 5%\n' });
    expect(gatesBefore.code).toBe(0);
    expect(gatesBefore.stdout).toMatch(/eval\s+met\s+eval passed with score 0.93/);
    expect(badEval.code).toBe(2);
    expect(badEval.stderr).toContain('--score must be a number');

    const [ownApproval, gatesAfter] = await Promise.all([cli(['approve', slug, '2', '--comment', 'looks fine to me'], env), cli(['gates', slug, '2'], env)]);
    expect(ownApproval.code).toBe(1);
    expect(ownApproval.stderr).toContain('cannot approve it');
    expect(gatesAfter.stdout).toMatch(/approval\s+UNMET\s+high-stakes slug/);
    expect(gatesAfter.stdout).toContain('v2 may get at most 5% of traffic until its gates are met');

    const reset = await cli(['policy', slug, '--high-stakes', 'no', '--reason', 'back to defaults', '--json'], env);
    expect(JSON.parse(reset.stdout)).toMatchObject({ slug, highStakes: false, custom: true, updatedBy: 'admin' });
  });

  it('kill confirms the safe version by resolving, restore lifts it, --all and rollback work', async () => {
    const kill = await cli(['kill', slug, '--reason', 'INC-1 cli e2e'], env);
    expect(kill).toMatchObject({ code: 0, stderr: '' });
    expect(kill.stdout).toBe('cli-triage killed: everyone now gets v1 (confirmed: resolve served v1)\n');

    expect((await t.call('GET', `/v1/prompts/${slug}/kill`)).body).toMatchObject({ killed: true, kill: { toVersion: 1, reason: 'INC-1 cli e2e' } });

    const repoint = await cli(['kill', slug, '--to', '2', '--reason', 'INC-1 use v2', '--json'], env);
    expect(repoint.code).toBe(0);
    expect(JSON.parse(repoint.stdout)).toMatchObject({ killed: true, changed: true, kill: { toVersion: 2 }, confirmation: { confirmed: true, served: 2 } });

    const restore = await cli(['restore', slug, '--reason', 'INC-1 over'], env);
    expect(restore.code).toBe(0);
    expect(restore.stdout).toMatch(/^cli-triage restored: its rollout serves again/);

    const all = await cli(['kill', '--all', '--reason', 'INC-2 provider down'], env);
    expect(all.code).toBe(0);
    expect(all.stdout).toContain('cli-triage: killed → v1 (confirmed)');
    const allRestored = await cli(['restore', '--all', '--reason', 'INC-2 over', '--json'], env);
    expect(allRestored.code).toBe(0);
    expect(JSON.parse(allRestored.stdout).results).toContainEqual(expect.objectContaining({ slug, outcome: 'restored' }));

    expect((await t.call('POST', `/v1/prompts/${slug}/versions/2/status`, { body: { status: 'prod', reason: 'ship v2' } })).status).toBe(200);
    const rollback = await cli(['rollback', slug, '1', '--reason', 'v2 regressed'], env);
    expect(rollback).toMatchObject({ code: 0, stdout: 'cli-triage rolled back: v1 is prod (v2 deprecated)\n' });
  });

  it('maps failures to exit codes: 1 refused, 2 usage, 3 unreachable, 4 auth, 5 not found', async () => {
    const reader = await t.call('POST', '/v1/keys', { body: { name: 'cli-reader', role: 'reader', reason: 'cli e2e' } });
    expect(reader.status).toBe(201);
    const [unreachable, badKey, forbidden, unknown, rampStatus, rampStart, notKilled, noTo, badSplit, noReason, jsonError] = await Promise.all([
      cli(['versions', slug], { ...env, PROMPTFLAG_URL: 'http://127.0.0.1:1' }),
      cli(['versions', slug], { ...env, PROMPTFLAG_KEY: 'pf_not-a-real-key' }),
      cli(['promote', slug, '2', '--to', 'staging', '--reason', 'x'], { ...env, PROMPTFLAG_KEY: reader.body.key }),
      cli(['versions', 'no-such-prompt'], env),
      cli(['ramp', slug, 'status'], env),
      cli(['ramp', slug, 'start', '2', '--steps', '1,5,25,50,100', '--hold', '3600', '--reason', 'ramp v2'], env),
      cli(['restore', slug, '--reason', 'nothing is killed'], env),
      cli(['promote', slug, '2', '--reason', 'x'], env),
      cli(['rollout', slug, '--split', '2:5;1:95', '--reason', 'x'], env),
      cli(['kill', slug], env),
      cli(['versions', 'no-such-prompt', '--json'], env),
    ]);
    expect(unreachable.code).toBe(3);
    expect(unreachable.stderr).toContain('cannot reach promptflag at http://127.0.0.1:1');
    expect(badKey.code).toBe(4);
    expect(badKey.stderr).toContain('authentication failed');
    expect(forbidden.code).toBe(4);
    expect(forbidden.stderr).toContain('not allowed');
    expect(unknown.code).toBe(5);
    expect(unknown.stderr).toContain('no-such-prompt');
    expect(rampStatus.code).toBe(5); // the route exists; the slug has no ramp
    expect(rampStatus.stderr).toContain('has no ramp');
    expect(rampStart.code).toBe(1); // 422: v2 is not staging
    expect(rampStart.stderr).toContain('only a staging version can be ramped');
    expect(notKilled.code).toBe(1); // 409
    expect(notKilled.stderr).toMatch(/^promptflag: .*not killed/i);
    expect(noTo.code).toBe(2);
    expect(noTo.stderr).toContain("required option '--to <status>'");
    expect(badSplit.code).toBe(2);
    expect(badSplit.stderr).toContain('--split');
    expect(noReason.code).toBe(2);
    expect(noReason.stderr).toContain('--reason');
    expect(jsonError.code).toBe(5);
    expect(jsonError.stdout).toBe('');
    expect(JSON.parse(jsonError.stderr)).toMatchObject({ error: { kind: 'not-found', status: 404, code: 'NOT_FOUND' } });
  });
});
