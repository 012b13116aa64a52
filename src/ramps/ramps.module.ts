import { Module } from '@nestjs/common';
import { AlertsModule } from '../experiments/alerts/alerts.module';
import { GatesModule } from '../gates/gates.module';
import { RegistryModule } from '../registry/registry.module';
import { RolloutModule } from '../rollout/rollout.module';
import { RampRunner } from './ramp-runner.service';
import { RampService } from './ramp.service';
import { RampsController } from './ramps.controller';

@Module({
  imports: [RolloutModule, RegistryModule, AlertsModule, GatesModule],
  controllers: [RampsController],
  providers: [RampService, RampRunner],
  exports: [RampService],
})
export class RampsModule {}
