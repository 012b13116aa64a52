import { Module } from '@nestjs/common';
import { RolloutModule } from '../rollout/rollout.module';
import { ExperimentsController } from './experiments.controller';
import { ExperimentsService } from './experiments.service';
import { ExposureModule } from './exposure.module';

@Module({ imports: [ExposureModule, RolloutModule], controllers: [ExperimentsController], providers: [ExperimentsService], exports: [ExperimentsService] })
export class ExperimentsModule {}
