import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { LoggingModule } from './common/logging.module';
import { ConfigurationModule } from './config/configuration.module';
import { FlagsModule } from './flags/flags.module';
import { GitopsModule } from './gitops/gitops.module';
import { HealthModule } from './health/health.module';
import { RegistryModule } from './registry/registry.module';
import { RolloutModule } from './rollout/rollout.module';
import { StoreModule } from './store/store.module';

@Module({
  imports: [ConfigurationModule, LoggingModule, StoreModule.forRoot(), AuthModule, RegistryModule, FlagsModule, RolloutModule, GitopsModule, AuditModule, HealthModule],
})
export class AppModule {}
