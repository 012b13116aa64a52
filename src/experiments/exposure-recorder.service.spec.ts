import { createHash } from 'node:crypto';
import { StoreUnavailableError } from '../common/domain/domain-error';
import { EmbeddedDatabase } from '../store/embedded/embedded-database';
import { EmbeddedExperimentStore } from '../store/embedded/embedded-experiment.store';
import { ExperimentStore, type ExposureRecord } from '../store/ports/experiment-store.port';
import { ExposureRecorder, MAX_BUFFERED } from './exposure-recorder.service';

class DownStore extends ExperimentStore {
  calls = 0;
  async recordExposures(_batch: ExposureRecord[]): Promise<void> {
    this.calls += 1;
    throw new StoreUnavailableError('down');
  }
  async recordOutcomes(): Promise<never> {
    throw new StoreUnavailableError('down');
  }
  async readAggregates(): Promise<never> {
    throw new StoreUnavailableError('down');
  }
}

const exposure = { slug: 'triage', version: 2, variant: 'v2', revision: 5 };

describe(ExposureRecorder.name, () => {
  it('stores exposures with the targeting key hashed, never the key itself', async () => {
    const db = EmbeddedDatabase.inMemory();
    const store = new EmbeddedExperimentStore(db);
    const sut = new ExposureRecorder(store);
    const now = Date.UTC(2025, 0, 1, 5);
    sut.record(exposure, 'user-1', now);
    sut.record(exposure, 'user-1', now);
    await sut.flushAll();
    expect(sut.counts).toEqual({ recorded: 2, flushed: 2, dropped: 0, buffered: 0 });
    const hour = Math.floor(now / 3_600_000);
    await expect(store.readAggregates('triage', hour, hour)).resolves.toMatchObject([{ version: 2, exposures: 2, users: 1 }]);
    const members = db.sqlite.prepare('SELECT member FROM exp_users').all() as { member: string }[];
    expect(members).toEqual([{ member: createHash('sha256').update('user-1').digest('hex') }]);
    db.close();
  });

  it('drops and counts rather than growing when the store is down', async () => {
    const store = new DownStore();
    const sut = new ExposureRecorder(store);
    for (let i = 0; i < MAX_BUFFERED + 10; i++) sut.record(exposure, `u${i}`);
    expect(sut.counts).toMatchObject({ buffered: MAX_BUFFERED, dropped: 10 });
    await sut.flushAll();
    expect(sut.counts).toEqual({ recorded: MAX_BUFFERED + 10, flushed: 0, dropped: MAX_BUFFERED + 10, buffered: 0 });
    expect(store.calls).toBeGreaterThan(0);
  });

  it('flushes on its timer once started, and on shutdown', async () => {
    const db = EmbeddedDatabase.inMemory();
    const store = new EmbeddedExperimentStore(db);
    const sut = new ExposureRecorder(store);
    sut.onModuleInit();
    sut.record(exposure, 'a');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(sut.counts.flushed).toBe(1);
    sut.record(exposure, 'b');
    await sut.onModuleDestroy();
    expect(sut.counts).toMatchObject({ flushed: 2, buffered: 0 });
    db.close();
  });
});
