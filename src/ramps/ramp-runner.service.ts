import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '../common/periodic-task';
import { AppConfig } from '../config/app-config';
import { RampService } from './ramp.service';

/** Ticks every RAMP_TICK_MS: advances due ramps (one replica per ramp, by lease). 0 disables it. */
@Injectable()
export class RampRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly task = new PeriodicTask('Ramp pass', new Logger(RampRunner.name));

  constructor(
    private readonly ramps: RampService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RAMP_TICK_MS > 0) this.task.start(this.config.RAMP_TICK_MS, () => this.ramps.tick());
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }
}
