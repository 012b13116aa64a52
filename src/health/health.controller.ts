import { Controller, Get } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Public } from '../auth/auth.decorators';
import { ServingState } from '../flags/serving-state.service';
import { StoreHealth } from '../store/ports/change-feed.port';

@ApiTags('health')
@Public()
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    private readonly store: StoreHealth,
    private readonly serving: ServingState,
  ) {}

  /** Liveness: the process answers. */
  @Get('health')
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Readiness: the store answers and the flags are loaded. 503 otherwise, with the reason (e.g. serving stale flags). */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.storeIndicator(), () => this.servingIndicator()]);
  }

  private servingIndicator() {
    const indicator = this.indicators.check('serving');
    const details = { flags: this.serving.evaluator.size, stale: this.serving.stale };
    if (!this.serving.ready) return indicator.down({ ...details, message: 'flags not loaded yet' });
    if (this.serving.stale) return indicator.down({ ...details, message: 'store unreachable: serving the last loaded flags (STALE)' });
    return indicator.up(details);
  }

  private async storeIndicator() {
    const indicator = this.indicators.check('store');
    try {
      await this.store.ping();
      return indicator.up({ kind: this.store.kind });
    } catch (error) {
      return indicator.down({ kind: this.store.kind, message: (error as Error).message });
    }
  }
}
