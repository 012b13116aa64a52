import { EnvironmentVariables } from '../config/env.validation';
import type { AppConfig } from '../config/app-config';
import { StatsigAllocationSource } from './statsig-allocation.source';
import { StatsigEventSink } from './statsig-event.sink';
import { StatsigService } from './statsig.service';

const config = (patch: Partial<EnvironmentVariables>) => Object.assign(new EnvironmentVariables(), patch) as AppConfig;

describe(StatsigService.name, () => {
  it('stays off without STATSIG_SERVER_SECRET: the sink is inactive and allocation refuses', async () => {
    const sut = new StatsigService(config({}));
    await sut.onModuleInit();
    expect(sut.enabled).toBe(false);
    expect(new StatsigEventSink(sut).active).toBe(false);
    expect(() => new StatsigAllocationSource(sut).allocationFor('e')).toThrow('not configured');
    await sut.onApplicationShutdown();
  });

  it('runs its own statsig-node instance in local mode, logs events, reads allocations, and shuts down', async () => {
    const sut = new StatsigService(config({ STATSIG_SERVER_SECRET: 'secret-local', STATSIG_LOCAL_MODE: true }));
    await sut.onModuleInit();
    try {
      expect(sut.enabled).toBe(true);
      const sink = new StatsigEventSink(sut);
      expect(sink.active).toBe(true);
      const logEvent = jest.spyOn(sut.client!, 'logEvent');
      sink.exposures([{ slug: 's', version: 1, variant: 'v1', revision: 1, targetingKeyHash: 'b'.repeat(64), hour: 1 }]);
      expect(logEvent).toHaveBeenCalledWith({ userID: 'b'.repeat(64) }, 'promptflag_exposure', 's', expect.objectContaining({ slug: 's', version: '1' }));
      sut.client!.overrideConfig('ramp_split', { allocation: [{ version: 2, weight: 80 }, { version: 3, weight: 20 }] });
      expect(new StatsigAllocationSource(sut).allocationFor('ramp_split')).toEqual([{ version: 2, weight: 80 }, { version: 3, weight: 20 }]);
    } finally {
      await sut.onApplicationShutdown();
    }
    expect(sut.enabled).toBe(false);
  });
});
