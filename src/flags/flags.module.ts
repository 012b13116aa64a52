import { Module } from '@nestjs/common';
import { FlagsController } from './flags.controller';
import { PromptChangePublisher } from './prompt-change.publisher';
import { PromptFlagLoader } from './prompt-flag.loader';
import { PromptResolver } from './prompt-resolver.service';
import { ResolveController } from './resolve.controller';
import { ServingState } from './serving-state.service';

@Module({
  controllers: [FlagsController, ResolveController],
  providers: [PromptFlagLoader, ServingState, PromptResolver, PromptChangePublisher],
  exports: [PromptFlagLoader, ServingState, PromptResolver, PromptChangePublisher],
})
export class FlagsModule {}
