import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { FlagsModule } from '../flags/flags.module';
import { HealthController } from './health.controller';

@Module({ imports: [TerminusModule.forRoot({ logger: false }), FlagsModule], controllers: [HealthController] })
export class HealthModule {}
