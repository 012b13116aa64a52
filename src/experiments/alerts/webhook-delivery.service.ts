import { setTimeout as sleep } from 'node:timers/promises';
import { Injectable, Logger } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { genericBody, slackBody, type WebhookTarget } from './domain/alert-payloads';
import type { Breach } from './domain/alert-rules';

export interface DeliveryOutcome {
  delivered: boolean;
  attempts: number;
  status?: number;
  error?: string;
}

/**
 * POSTs one alert to one webhook: a timeout per attempt, bounded attempts with exponential backoff, retrying network
 * errors, timeouts, 429 and 5xx (any other answer is final). Every attempt's result is logged.
 */
@Injectable()
export class WebhookDelivery {
  private readonly logger = new Logger(WebhookDelivery.name);

  constructor(private readonly config: AppConfig) {}

  async deliver(target: WebhookTarget, breach: Breach, alertKey: string, at: string): Promise<DeliveryOutcome> {
    const body = JSON.stringify(target.slack ? slackBody(breach) : genericBody(breach, alertKey, at));
    const maxAttempts = this.config.ALERT_WEBHOOK_MAX_ATTEMPTS;
    const host = safeHost(target.url);
    let last: DeliveryOutcome = { delivered: false, attempts: 0 };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(this.config.ALERT_WEBHOOK_BACKOFF_MS * 2 ** (attempt - 2));
      try {
        const response = await fetch(target.url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'promptflag-alerts', 'x-promptflag-alert-id': alertKey },
          body,
          signal: AbortSignal.timeout(this.config.ALERT_WEBHOOK_TIMEOUT_MS),
        });
        await response.arrayBuffer().catch(() => undefined);
        last = { delivered: response.ok, attempts: attempt, status: response.status };
        if (response.ok) {
          this.logger.log(`Alert ${alertKey} delivered to ${host} (attempt ${attempt}, ${response.status})`);
          return last;
        }
        this.logger.warn(`Alert ${alertKey} to ${host}: attempt ${attempt}/${maxAttempts} answered ${response.status}`);
        if (response.status !== 429 && response.status < 500) return last;
      } catch (error) {
        last = { delivered: false, attempts: attempt, error: (error as Error).message };
        this.logger.warn(`Alert ${alertKey} to ${host}: attempt ${attempt}/${maxAttempts} failed (${(error as Error).message})`);
      }
    }
    this.logger.error(`Alert ${alertKey} to ${host}: not delivered after ${maxAttempts} attempts`);
    return last;
  }
}

/** Webhook URLs are secrets (Slack's carry a token in the path): log the host only. */
function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(invalid url)';
  }
}
