import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { LoggingModule } from './common/logging.module';
import { ConfigurationModule } from './config/configuration.module';
import { AlertsModule } from './experiments/alerts/alerts.module';
import { ExperimentsModule } from './experiments/experiments.module';
import { ExposureModule } from './experiments/exposure.module';
import { FlagsModule } from './flags/flags.module';
import { GitopsModule } from './gitops/gitops.module';
import { HealthModule } from './health/health.module';
import { KillSwitchModule } from './killswitch/killswitch.module';
import { MetricsModule } from './metrics/metrics.module';
import { RampsModule } from './ramps/ramps.module';
import { RegistryModule } from './registry/registry.module';
import { RolloutModule } from './rollout/rollout.module';
import { StatsigModule } from './statsig/statsig.module';
import { StoreModule } from './store/store.module';
import { SyncModule } from './sync/sync.module';

@Module({
  imports: [ConfigurationModule, LoggingModule, StoreModule.forRoot(), ExposureModule, AuthModule, RegistryModule, FlagsModule, RolloutModule, KillSwitchModule, GitopsModule, AuditModule, HealthModule, SyncModule, ExperimentsModule, MetricsModule, StatsigModule, AlertsModule, RampsModule],
})
export class AppModule {}
