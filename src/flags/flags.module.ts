import { Module } from '@nestjs/common';
import { FlagsController } from './flags.controller';
import { PromptFlagLoader } from './prompt-flag.loader';
import { PromptResolver } from './prompt-resolver.service';
import { ResolveController } from './resolve.controller';
import { ServingState } from './serving-state.service';

@Module({
  controllers: [FlagsController, ResolveController],
  providers: [PromptFlagLoader, ServingState, PromptResolver],
  exports: [PromptFlagLoader, ServingState, PromptResolver],
})
export class FlagsModule {}
