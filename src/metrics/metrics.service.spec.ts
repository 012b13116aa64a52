import type { ModuleRef } from '@nestjs/core';
import type { ExposureRecorder } from '../experiments/exposure-recorder.service';
import type { ServingState } from '../flags/serving-state.service';
import { MetricsService } from './metrics.service';

function sample(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe(MetricsService.name, () => {
  const flags: Record<string, { metadata?: Record<string, unknown> }> = { a: { metadata: { slug: 'a' } }, b: { metadata: { slug: 'b', killedTo: 1 } } };
  const serving = { exportDocument: () => ({ flags }) } as unknown as ServingState;
  const counts = { recorded: 0, flushed: 0, dropped: 0, buffered: 0 };
  const recorder = { get counts() { return counts; } } as unknown as ExposureRecorder;
  const moduleRef = { get: () => serving } as unknown as ModuleRef;

  it('keeps its own registry: two instances never share series', async () => {
    const one = new MetricsService(moduleRef, recorder);
    const two = new MetricsService(moduleRef, recorder);
    one.resolved('a', 1, 'STATIC', 0.0001);
    expect(sample((await two.scrape()).body, 'promptflag_resolves_total{slug="a",version="1",reason="STATIC"}')).toBeUndefined();
    expect(sample((await one.scrape()).body, 'promptflag_resolves_total{slug="a",version="1",reason="STATIC"}')).toBe(1);
  });

  it('reads the kill switch from the served flags\' metadata at scrape time, dropping slugs no longer served', async () => {
    const sut = new MetricsService(moduleRef, recorder);
    let text = (await sut.scrape()).body;
    expect(sample(text, 'promptflag_kill_switch_active{slug="a"}')).toBe(0);
    expect(sample(text, 'promptflag_kill_switch_active{slug="b"}')).toBe(1);
    delete flags.b;
    text = (await sut.scrape()).body;
    expect(sample(text, 'promptflag_kill_switch_active{slug="b"}')).toBeUndefined();
  });

  it('turns the recorder\'s dropped count into a monotonic counter', async () => {
    const sut = new MetricsService(moduleRef, recorder);
    counts.dropped = 3;
    expect(sample((await sut.scrape()).body, 'promptflag_exposures_dropped_total')).toBe(3);
    counts.dropped = 5;
    expect(sample((await sut.scrape()).body, 'promptflag_exposures_dropped_total')).toBe(5);
  });

  it('reuses one label child per (slug, version, reason)', async () => {
    const sut = new MetricsService(moduleRef, recorder);
    for (let i = 0; i < 1000; i++) sut.resolved('a', i % 2, 'SPLIT', 0.00002);
    const text = (await sut.scrape()).body;
    expect(sample(text, 'promptflag_resolves_total{slug="a",version="0",reason="SPLIT"}')).toBe(500);
    expect(sample(text, 'promptflag_resolves_total{slug="a",version="1",reason="SPLIT"}')).toBe(500);
    expect(sample(text, 'promptflag_resolve_duration_seconds_bucket{le="0.000025"}')).toBe(1000);
  });

  it('counts a resolve without a measured duration, without observing one', async () => {
    const sut = new MetricsService(moduleRef, recorder);
    sut.resolved('a', 1, 'SPLIT', undefined);
    sut.resolved('a', 1, 'SPLIT', 0.00002);
    const text = (await sut.scrape()).body;
    expect(sample(text, 'promptflag_resolves_total{slug="a",version="1",reason="SPLIT"}')).toBe(2);
    expect(sample(text, 'promptflag_resolve_duration_seconds_count')).toBe(1);
  });
});
