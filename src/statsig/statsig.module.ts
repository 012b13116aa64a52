import { Global, Module } from '@nestjs/common';
import { EventSink } from '../experiments/event-sink';
import { StatsigAllocationSource } from './statsig-allocation.source';
import { StatsigEventSink } from './statsig-event.sink';
import { StatsigService } from './statsig.service';

/** Optional Statsig integration (on when STATSIG_SERVER_SECRET is set); global so experiments find the EventSink. */
@Global()
@Module({
  providers: [StatsigService, StatsigAllocationSource, { provide: EventSink, useClass: StatsigEventSink }],
  exports: [StatsigService, StatsigAllocationSource, EventSink],
})
export class StatsigModule {}
