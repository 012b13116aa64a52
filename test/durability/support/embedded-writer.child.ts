import { contentHash } from '../../../src/registry/domain/content-hash';
import { createEmbeddedStores } from '../../../src/store/embedded/create-embedded-stores';
import { EmbeddedDatabase } from '../../../src/store/embedded/embedded-database';

/**
 * Child process of embedded-kill.e2e-spec: `writers` concurrent loops create versions, alternating between a slug
 * they share and one of their own, and print `ACK <slug> <version> <contentHash>` only after each commit returned.
 * The parent SIGKILLs the process at a random point.
 * Usage: node -r register-ts.js embedded-writer.child.ts <db path> <run name> <writers>
 */
const [path, run, writers] = process.argv.slice(2);
const stores = createEmbeddedStores(EmbeddedDatabase.open(path));

async function write(name: string): Promise<void> {
  for (let n = 0; ; n++) {
    const slug = n % 2 === 0 ? 'shared' : `own-${name}`;
    const content = { template: `${name} #${n} {{x}}`, variables: [{ name: 'x', required: true }], modelHint: 'm' };
    const createdAt = new Date().toISOString();
    const { version } = await stores.promptStore.createVersion(
      { slug, ...content, rationale: 'durability', contentHash: contentHash(content), author: name, createdAt },
      (v) => ({ at: createdAt, actor: name, action: 'version.created', slug, version: v.version }),
    );
    process.stdout.write(`ACK ${slug} ${version.version} ${version.contentHash}\n`);
    // Let the other loops and stdout run between commits, as concurrent requests would.
    await new Promise((resolve) => setImmediate(resolve));
  }
}

Promise.all(Array.from({ length: Number(writers) }, (_, i) => write(`${run}w${i}`))).catch((error: unknown) => {
  process.stderr.write(`writers of ${run} failed: ${String(error)}\n`);
  process.exit(1);
});
