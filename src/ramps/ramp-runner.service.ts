import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { RampService } from './ramp.service';

/** Ticks every RAMP_TICK_MS: advances due ramps (one replica per ramp, by lease). 0 disables it. */
@Injectable()
export class RampRunner implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(RampRunner.name);
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly ramps: RampService,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    if (this.config.RAMP_TICK_MS === 0) return;
    this.timer = setInterval(() => {
      if (this.running) return; // a slow pass is not overlapped
      this.running = this.ramps
        .tick()
        .catch((error: unknown) => this.logger.warn(`Ramp pass failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, this.config.RAMP_TICK_MS);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }
}
