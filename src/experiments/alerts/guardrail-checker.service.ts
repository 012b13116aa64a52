import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../config/app-config';
import { AlertStore } from '../../store/ports/alert-store.port';
import { DEFAULT_WINDOW_MS, ExperimentsService } from '../experiments.service';
import { effectiveRules, evaluateAlertRules, type AlertRules, type Breach } from './domain/alert-rules';

/**
 * The guardrail check for ramps and the alert evaluation, over the same {@link evaluateAlertRules}: reads a slug's
 * results (last 24 hours) through ExperimentsService and its stored rules unless `rules` are given.
 */
@Injectable()
export class GuardrailChecker {
  constructor(
    private readonly experiments: ExperimentsService,
    private readonly store: AlertStore,
    private readonly config: AppConfig,
  ) {}

  /** The slug's effective rules: defaults with its stored overrides on top. */
  async rulesFor(slug: string): Promise<AlertRules> {
    return effectiveRules(await this.store.getRules(slug));
  }

  /** Every current breach of the slug (all versions). */
  async breaches(slug: string, rules?: AlertRules, now = new Date()): Promise<Breach[]> {
    const effective = rules ?? (await this.rulesFor(slug));
    const results = await this.experiments.results(slug, new Date(now.getTime() - DEFAULT_WINDOW_MS), now, now);
    return evaluateAlertRules(results, effective, { runbookBase: this.config.ALERT_RUNBOOK_BASE_URL });
  }

  /** Breaches that speak against ramping `candidateVersion`: its own, and a sample ratio mismatch of the split. */
  async check(slug: string, candidateVersion: number, rules?: AlertRules, now = new Date()): Promise<Breach[]> {
    return (await this.breaches(slug, rules, now)).filter((b) => b.version === candidateVersion || b.metric === 'srm');
  }
}
