import { BadRequestException, Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../../auth/auth.decorators';
import type { Principal } from '../../auth/domain/principal';
import { SlugPipe } from '../../common/http/params';
import { AlertRulesService } from './alert-rules.service';
import { validateRuleOverrides } from './domain/alert-rules';
import { GuardrailChecker } from './guardrail-checker.service';

@ApiTags('alerts')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/prompts/:slug')
export class AlertsController {
  constructor(
    private readonly rules: AlertRulesService,
    private readonly checker: GuardrailChecker,
  ) {}

  /** The rules in force (defaults with the slug's overrides) and the stored overrides. */
  @Get('alert-rules')
  get(@Param('slug', SlugPipe) slug: string) {
    return this.rules.get(slug);
  }

  /** Replaces the slug's overrides: any AlertRules fields (null disables a threshold), plus an optional `reason`. Audited. */
  @Put('alert-rules')
  @RequireRole('experimenter')
  replace(@Param('slug', SlugPipe) slug: string, @Body() body: unknown, @CurrentPrincipal() actor: Principal) {
    const checked = validateRuleOverrides(body);
    if (!checked.ok) {
      const first = checked.errors[0];
      throw new BadRequestException({ message: `${first.field} ${first.message}`, code: 'VALIDATION_FAILED', details: { fields: checked.errors } });
    }
    const reason = (body as Record<string, unknown>).reason;
    return this.rules.replace(slug, checked.value, actor, typeof reason === 'string' ? reason : undefined);
  }

  /** Current breaches over the last 24 hours, computed now. */
  @Get('alerts')
  async alerts(@Param('slug', SlugPipe) slug: string) {
    const rules = await this.checker.rulesFor(slug);
    const now = new Date();
    return { slug, evaluatedAt: now.toISOString(), rules, breaches: await this.checker.breaches(slug, rules, now) };
  }
}
