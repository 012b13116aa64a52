import { Global, Module } from '@nestjs/common';
import { MetricsController } from './metrics.controller';
import { MetricsService } from './metrics.service';
import { EventsObserver, ResolveObserver } from './observers';

/** Global, so the resolver and the experiments service find the observers without importing this module. */
@Global()
@Module({
  controllers: [MetricsController],
  providers: [MetricsService, { provide: ResolveObserver, useExisting: MetricsService }, { provide: EventsObserver, useExisting: MetricsService }],
  exports: [MetricsService, ResolveObserver, EventsObserver],
})
export class MetricsModule {}
