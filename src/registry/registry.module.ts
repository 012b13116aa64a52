import { Module } from '@nestjs/common';
import { FlagsModule } from '../flags/flags.module';
import { GatesModule } from '../gates/gates.module';
import { PromptRegistryService } from './prompt-registry.service';
import { PromptsController } from './prompts.controller';

@Module({
  imports: [FlagsModule, GatesModule],
  controllers: [PromptsController],
  providers: [PromptRegistryService],
  exports: [PromptRegistryService],
})
export class RegistryModule {}
