import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { verifyAuditChain } from '../../src/audit/domain/audit-chain';
import { createEmbeddedStores } from '../../src/store/embedded/create-embedded-stores';
import { EmbeddedDatabase } from '../../src/store/embedded/embedded-database';

const CYCLES = 5;
const WRITERS = 4;
const ACKS_BEFORE_KILL = 50;
const ACK_FLOOR = 100;

interface Ack {
  slug: string;
  version: number;
  contentHash: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A writer process and the acknowledgements it printed; lines cut short by the kill are ignored. */
function startWriter(dbPath: string, run: string): { child: ChildProcess; acks: Ack[]; stderr: () => string } {
  const child = spawn(
    process.execPath,
    ['-r', join(__dirname, 'support', 'register-ts.js'), join(__dirname, 'support', 'embedded-writer.child.ts'), dbPath, run, String(WRITERS)],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const acks: Ack[] = [];
  let pending = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split('\n');
    pending = lines.pop()!;
    for (const line of lines) {
      const [tag, slug, version, contentHash] = line.split(' ');
      if (tag === 'ACK') acks.push({ slug, version: Number(version), contentHash });
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  return { child, acks, stderr: () => stderr };
}

function kill(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

/**
 * The embedded store's promise: a version acknowledged to the caller survives a hard kill of the process.
 * Each cycle a writer process (several concurrent writers inside) is SIGKILLed mid-stream, and the next one reopens
 * the file, recovering its WAL.
 */
describe('Embedded store durability under SIGKILL', () => {
  let dir: string;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'promptflag-embedded-kill-'));
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps every acknowledged version after its writers are killed', async () => {
    const dbPath = join(dir, 'promptflag.db');
    EmbeddedDatabase.open(dbPath).close();
    const acked: Ack[] = [];

    for (let cycle = 0; cycle < CYCLES; cycle++) {
      const writer = startWriter(dbPath, `c${cycle}`);
      try {
        const deadline = Date.now() + 8000;
        while (writer.acks.length < ACKS_BEFORE_KILL && Date.now() < deadline) {
          if (writer.child.exitCode !== null) throw new Error(`writer exited early: ${writer.stderr()}`);
          await sleep(10);
        }
        await sleep(Math.random() * 200);
      } finally {
        await kill(writer.child);
      }
      acked.push(...writer.acks);
    }

    const db = EmbeddedDatabase.open(dbPath);
    try {
      const stores = createEmbeddedStores(db);
      let lost = 0;
      for (const ack of acked) {
        const stored = await stores.promptStore.getVersion(ack.slug, ack.version);
        if (stored?.contentHash !== ack.contentHash) lost++;
      }
      const slugs = (await stores.promptStore.listPrompts()).map((p) => p.slug);
      let stored = 0;
      for (const slug of slugs) {
        const { latestVersion } = await stores.promptStore.getState(slug);
        stored += latestVersion;
        const { items } = await stores.promptStore.listVersions(slug, { offset: 0, limit: latestVersion });
        expect(items.map((v) => v.version)).toEqual(Array.from({ length: latestVersion }, (_, i) => latestVersion - i));
        expect(verifyAuditChain(await stores.auditLog.readChain(slug))).toEqual({ ok: true, length: latestVersion });
      }
      console.log(
        `durability (embedded): acknowledged=${acked.length} lost=${lost} unknown=${stored - acked.length} ` +
          `(committed, acknowledgement cut by the kill) cycles=${CYCLES} writers=${WRITERS}`,
      );
      expect(lost).toBe(0);
      expect(acked.length).toBeGreaterThan(ACK_FLOOR);
      expect(stored).toBeGreaterThanOrEqual(acked.length);
    } finally {
      db.close();
    }
  }, 60_000);
});
