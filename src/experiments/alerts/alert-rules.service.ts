import { Injectable } from '@nestjs/common';
import type { Principal } from '../../auth/domain/principal';
import { AlertStore } from '../../store/ports/alert-store.port';
import { AuditLog } from '../../store/ports/prompt-store.port';
import { effectiveRules, type AlertRuleOverrides, type AlertRules } from './domain/alert-rules';

export interface AlertRulesView {
  slug: string;
  /** The rules in force: defaults with the overrides on top. */
  rules: AlertRules;
  /** What was stored for the slug (empty: the defaults). */
  overrides: AlertRuleOverrides;
}

/** Reads and replaces a slug's alert rules; every replacement is audited on the system chain with the slug set. */
@Injectable()
export class AlertRulesService {
  constructor(
    private readonly store: AlertStore,
    private readonly audit: AuditLog,
  ) {}

  async get(slug: string): Promise<AlertRulesView> {
    const overrides = (await this.store.getRules(slug)) ?? {};
    return { slug, rules: effectiveRules(overrides), overrides };
  }

  /** Replaces the overrides (validated by validateRuleOverrides); `{}` restores the defaults. */
  async replace(slug: string, overrides: AlertRuleOverrides, actor: Principal, reason?: string): Promise<AlertRulesView> {
    const before = (await this.store.getRules(slug)) ?? {};
    await this.store.putRules(slug, overrides);
    await this.audit.appendSystem({
      at: new Date().toISOString(),
      actor: actor.name,
      action: 'alert-rules.replace',
      slug,
      before,
      after: overrides,
      ...(reason ? { reason } : {}),
    });
    return { slug, rules: effectiveRules(overrides), overrides };
  }
}
