import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { GatesModule } from '../gates/gates.module';
import { RolloutController } from './rollout.controller';
import { RolloutService } from './rollout.service';
import { StatsigAllocationSync } from './statsig-allocation.sync';

@Module({ imports: [FlagsModule, GatesModule], controllers: [RolloutController], providers: [RolloutService, StatsigAllocationSync], exports: [RolloutService] })
export class RolloutModule {}
