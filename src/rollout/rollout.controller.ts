import { Body, Controller, Get, Headers, HttpStatus, Param, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators';
import type { Principal } from '../auth/domain/principal';
import { HttpExceptionWithHeaders } from '../common/http/domain-error.filter';
import { SlugPipe } from '../common/http/params';
import { PutRolloutDto } from './dto/rollout.dto';
import { RolloutService } from './rollout.service';

@ApiTags('rollout')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/prompts/:slug/rollout')
export class RolloutController {
  constructor(private readonly rollouts: RolloutService) {}

  @Get()
  async get(@Param('slug', SlugPipe) slug: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const rollout = await this.rollouts.get(slug);
    reply.header('ETag', `"${rollout.revision}"`);
    return rollout;
  }

  @Put()
  @RequireRole('experimenter')
  @ApiHeader({ name: 'If-Match', required: true, description: 'The revision you read (GET returns it as ETag and `revision`)' })
  async replace(
    @Param('slug', SlugPipe) slug: string,
    @Headers('if-match') ifMatch: string | undefined,
    @Body() body: PutRolloutDto,
    @CurrentPrincipal() actor: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const expected = parseRevision(ifMatch);
    const { reason, ...spec } = body;
    const rollout = await this.rollouts.replace(
      slug,
      expected,
      {
        allocation: spec.allocation ?? [],
        rules: spec.rules ?? [],
        ...(spec.bucketBy ? { bucketBy: spec.bucketBy } : {}),
        ...(spec.shadow !== undefined ? { shadow: spec.shadow } : {}),
        ...(spec.statsigAllocation ? { statsigAllocation: { experiment: spec.statsigAllocation.experiment, ...(spec.statsigAllocation.parameter ? { parameter: spec.statsigAllocation.parameter } : {}) } } : {}),
      },
      reason,
      actor,
    );
    reply.header('ETag', `"${rollout.revision}"`);
    return rollout;
  }
}

function parseRevision(ifMatch: string | undefined): number {
  if (ifMatch === undefined || ifMatch.trim() === '') {
    throw new HttpExceptionWithHeaders(
      { message: 'If-Match is required: send the revision you read, so concurrent edits never silently merge', code: 'PRECONDITION_REQUIRED' },
      HttpStatus.PRECONDITION_REQUIRED,
      {},
    );
  }
  const match = /^\s*(?:W\/)?"?(\d{1,12})"?\s*$/.exec(ifMatch);
  if (!match) {
    throw new HttpExceptionWithHeaders({ message: `If-Match must be a revision such as "3" (got ${ifMatch.slice(0, 40)})`, code: 'VALIDATION_FAILED' }, HttpStatus.BAD_REQUEST, {});
  }
  return Number(match[1]);
}
