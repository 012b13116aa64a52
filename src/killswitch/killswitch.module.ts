import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { RegistryModule } from '../registry/registry.module';
import { KillSwitchController, RollbackController } from './killswitch.controller';
import { KillSwitchService } from './killswitch.service';
import { RollbackService } from './rollback.service';

@Module({
  imports: [FlagsModule, RegistryModule],
  controllers: [KillSwitchController, RollbackController],
  providers: [KillSwitchService, RollbackService],
  exports: [KillSwitchService],
})
export class KillSwitchModule {}
