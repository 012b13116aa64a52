import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators';
import type { Principal } from '../auth/domain/principal';
import { SlugPipe } from '../common/http/params';
import { IncidentRequestDto, KillRequestDto, RestoreRequestDto, RollbackRequestDto } from './dto/killswitch.dto';
import { KillSwitchService } from './killswitch.service';
import { RollbackService } from './rollback.service';

/**
 * The kill switch (responders): per slug and incident-wide. Every write answers 200 only once it is stored; with the
 * store unreachable it answers 503 at once.
 */
@ApiTags('killswitch')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1')
export class KillSwitchController {
  constructor(private readonly killSwitch: KillSwitchService) {}

  @Get('prompts/:slug/kill')
  get(@Param('slug', SlugPipe) slug: string) {
    return this.killSwitch.get(slug);
  }

  @Post('prompts/:slug/kill')
  @RequireRole('responder')
  @HttpCode(200)
  kill(@Param('slug', SlugPipe) slug: string, @Body() body: KillRequestDto, @CurrentPrincipal() actor: Principal) {
    return this.killSwitch.kill(slug, body.reason, actor, body.toVersion);
  }

  @Post('prompts/:slug/restore')
  @RequireRole('responder')
  @HttpCode(200)
  restore(@Param('slug', SlugPipe) slug: string, @Body() body: RestoreRequestDto, @CurrentPrincipal() actor: Principal) {
    return this.killSwitch.restore(slug, body.reason, actor);
  }

  @Post('kill')
  @RequireRole('responder')
  @HttpCode(200)
  killAll(@Body() body: IncidentRequestDto, @CurrentPrincipal() actor: Principal) {
    return this.killSwitch.killAll(body.reason, actor);
  }

  @Post('restore')
  @RequireRole('responder')
  @HttpCode(200)
  restoreAll(@Body() body: IncidentRequestDto, @CurrentPrincipal() actor: Principal) {
    return this.killSwitch.restoreAll(body.reason, actor);
  }
}

/** Rollback (experimenters): re-promote an earlier version to prod through the registry's one promotion. */
@ApiTags('killswitch')
@ApiBearerAuth()
@RequireRole('experimenter')
@Controller('v1/prompts/:slug/rollback')
export class RollbackController {
  constructor(private readonly rollbacks: RollbackService) {}

  @Post()
  @HttpCode(200)
  rollback(@Param('slug', SlugPipe) slug: string, @Body() body: RollbackRequestDto, @CurrentPrincipal() actor: Principal) {
    return this.rollbacks.rollback(slug, body.toVersion, body.reason, actor);
  }
}
