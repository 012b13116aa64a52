import { Module } from '@nestjs/common';
import { FlagsModule } from '../../flags/flags.module';
import { ExperimentsModule } from '../experiments.module';
import { AlertMonitor } from './alert-monitor.service';
import { AlertRulesService } from './alert-rules.service';
import { AlertsController } from './alerts.controller';
import { GuardrailChecker } from './guardrail-checker.service';
import { WebhookDelivery } from './webhook-delivery.service';

/** Alert rules, on-demand breaches, the monitor that delivers them, and the GuardrailChecker ramps call. */
@Module({
  imports: [ExperimentsModule, FlagsModule],
  controllers: [AlertsController],
  providers: [AlertRulesService, GuardrailChecker, WebhookDelivery, AlertMonitor],
  exports: [GuardrailChecker, AlertRulesService, AlertMonitor],
})
export class AlertsModule {}
