import { Module } from '@nestjs/common';
import { GateService } from './gate.service';
import { GatesController } from './gates.controller';

@Module({ controllers: [GatesController], providers: [GateService], exports: [GateService] })
export class GatesModule {}
