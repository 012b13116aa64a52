import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators';
import type { Principal } from '../auth/domain/principal';
import { NotFoundError } from '../common/domain/domain-error';
import { SlugPipe } from '../common/http/params';
import { RampActionDto, StartRampDto } from './dto/ramp.dto';
import { type RampAction, RampService } from './ramp.service';

const ACTIONS: readonly RampAction[] = ['pause', 'resume', 'abort', 'advance'];

@ApiTags('ramps')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/prompts/:slug/ramps')
export class RampsController {
  constructor(private readonly ramps: RampService) {}

  @Post()
  @RequireRole('experimenter')
  start(@Param('slug', SlugPipe) slug: string, @Body() body: StartRampDto, @CurrentPrincipal() actor: Principal) {
    return this.ramps.start(slug, body, actor);
  }

  @Get('current')
  current(@Param('slug', SlugPipe) slug: string) {
    return this.ramps.current(slug);
  }

  @Post('current/:action')
  @RequireRole('experimenter')
  @HttpCode(200)
  act(@Param('slug', SlugPipe) slug: string, @Param('action') action: string, @Body() body: RampActionDto, @CurrentPrincipal() actor: Principal) {
    if (!(ACTIONS as readonly string[]).includes(action)) throw new NotFoundError(`No ramp action "${action}": use one of ${ACTIONS.join(', ')}`, { action });
    return this.ramps.act(slug, action as RampAction, body?.reason, actor);
  }
}
