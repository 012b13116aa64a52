import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeyGuard } from './api-key.guard';
import { ApiKeyService } from './api-key.service';
import { CredentialChecker } from './credential-checker.service';
import { KeysController } from './keys.controller';

@Module({
  controllers: [KeysController],
  providers: [ApiKeyService, CredentialChecker, { provide: APP_GUARD, useClass: ApiKeyGuard }],
  exports: [ApiKeyService, CredentialChecker],
})
export class AuthModule {}
