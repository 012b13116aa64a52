import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module';
import { FlagsModule } from '../flags/flags.module';
import { FlagSyncServer } from './flag-sync.server';
import { OfrepAuthGuard } from './ofrep-auth.guard';
import { OfrepBodyErrorHooks } from './ofrep-exception.filter';
import { OfrepController } from './ofrep.controller';
import { OfrepService } from './ofrep.service';
import { SyncAuthenticator } from './sync-auth.service';

/** The OpenFeature surfaces: OFREP over HTTP and flagd's sync protocol over gRPC, both from ServingState. */
@Module({
  imports: [FlagsModule, AuthModule],
  controllers: [OfrepController],
  providers: [OfrepService, OfrepAuthGuard, OfrepBodyErrorHooks, SyncAuthenticator, FlagSyncServer],
  exports: [OfrepService, FlagSyncServer],
})
export class SyncModule {}
