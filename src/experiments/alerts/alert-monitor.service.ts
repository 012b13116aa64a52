import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { PeriodicTask } from '../../common/periodic-task';
import { AppConfig } from '../../config/app-config';
import { ServingState } from '../../flags/serving-state.service';
import { AlertStore } from '../../store/ports/alert-store.port';
import { HOUR_MS } from '../domain/experiment-records';
import { parseWebhookTargets, type WebhookTarget } from './domain/alert-payloads';
import { alertKey, type Breach } from './domain/alert-rules';
import { GuardrailChecker } from './guardrail-checker.service';
import { WebhookDelivery } from './webhook-delivery.service';
import { sha256Hex } from '../../common/domain/canonical-hash';

export interface MonitorRun {
  slugs: number;
  breaches: Breach[];
  /** Deliveries this replica made (claimed and delivered). */
  delivered: number;
  /** Deliveries skipped because another run or replica already claimed them. */
  skipped: number;
  failed: number;
}

/**
 * Evaluates every served slug's alert rules every ALERT_INTERVAL_SECONDS and delivers new breaches to
 * ALERT_WEBHOOK_URLS. "New" is per (alert key, webhook): before sending, a replica claims the delivery in the
 * AlertStore (SET NX / INSERT OR IGNORE, kept for the dedupe window), so with several replicas and repeated runs
 * each webhook gets each alert once per ALERT_REPEAT_HOURS. A delivery that fails after every retry gives its
 * claim up, so the next run tries again.
 */
@Injectable()
export class AlertMonitor implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(AlertMonitor.name);
  private readonly targets: WebhookTarget[];
  private readonly task = new PeriodicTask('Alert run', this.logger);
  private running?: Promise<MonitorRun>;

  constructor(
    private readonly config: AppConfig,
    private readonly checker: GuardrailChecker,
    private readonly store: AlertStore,
    private readonly serving: ServingState,
    private readonly delivery: WebhookDelivery,
  ) {
    this.targets = parseWebhookTargets(config.ALERT_WEBHOOK_URLS);
  }

  onApplicationBootstrap(): void {
    if (this.config.ALERT_INTERVAL_SECONDS > 0) this.task.start(this.config.ALERT_INTERVAL_SECONDS * 1000, () => this.run());
  }

  async onModuleDestroy(): Promise<void> {
    await this.task.stop();
    await this.running?.catch(() => undefined);
  }

  /** One evaluation of every served slug (runs do not overlap: a call during a run waits for it). */
  run(now = new Date()): Promise<MonitorRun> {
    this.running ??= this.runOnce(now).finally(() => (this.running = undefined));
    return this.running;
  }

  private async runOnce(now: Date): Promise<MonitorRun> {
    const slugs = Object.keys(this.serving.exportDocument().flags);
    const outcome: MonitorRun = { slugs: slugs.length, breaches: [], delivered: 0, skipped: 0, failed: 0 };
    const windowIndex = Math.floor(now.getTime() / (this.config.ALERT_REPEAT_HOURS * HOUR_MS));
    for (const slug of slugs) {
      let breaches: Breach[];
      try {
        breaches = await this.checker.breaches(slug, undefined, now);
      } catch (error) {
        this.logger.warn(`Alert rules of "${slug}" not evaluated: ${(error as Error).message}`);
        continue;
      }
      outcome.breaches.push(...breaches);
      for (const breach of breaches) {
        const key = alertKey(breach, windowIndex);
        for (const target of this.targets) {
          const claim = `${key}|${sha256Hex(target.url).slice(0, 16)}`;
          if (!(await this.store.claimDelivery(slug, claim, this.config.ALERT_REPEAT_HOURS * 3600))) {
            outcome.skipped += 1;
            continue;
          }
          const result = await this.delivery.deliver(target, breach, key, now.toISOString());
          if (result.delivered) outcome.delivered += 1;
          else {
            outcome.failed += 1;
            await this.store.releaseDelivery(slug, claim).catch(() => undefined);
          }
        }
      }
    }
    return outcome;
  }
}
