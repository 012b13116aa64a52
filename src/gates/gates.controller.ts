import { Body, Controller, Get, HttpStatus, Param, Post, Put, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators';
import type { Principal } from '../auth/domain/principal';
import { SlugPipe, VersionNumberPipe } from '../common/http/params';
import { DEFAULT_GATE_POLICY } from './domain/gate-policy';
import { ApproveVersionDto, PutGatePolicyDto, RecordEvalDto } from './dto/gates.dto';
import { GateService } from './gate.service';

@ApiTags('gates')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/prompts/:slug')
export class GatesController {
  constructor(private readonly gates: GateService) {}

  @Get('versions/:version/gates')
  status(@Param('slug', SlugPipe) slug: string, @Param('version', VersionNumberPipe) version: number) {
    return this.gates.status(slug, version);
  }

  @Post('versions/:version/evals')
  @RequireRole('author')
  recordEval(
    @Param('slug', SlugPipe) slug: string,
    @Param('version', VersionNumberPipe) version: number,
    @Body() body: RecordEvalDto,
    @CurrentPrincipal() actor: Principal,
  ) {
    const { suiteHash, score, passed, runUrl } = body;
    return this.gates.recordEval(slug, version, { suiteHash, score, passed, ...(runUrl !== undefined ? { runUrl } : {}) }, actor);
  }

  /** 201 for a new approval, 200 when this approver had already approved (nothing changes). */
  @Post('versions/:version/approvals')
  @RequireRole('author')
  async approve(
    @Param('slug', SlugPipe) slug: string,
    @Param('version', VersionNumberPipe) version: number,
    @Body() body: ApproveVersionDto,
    @CurrentPrincipal() actor: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const { created, view } = await this.gates.approve(slug, version, body.comment, actor);
    reply.status(created ? HttpStatus.CREATED : HttpStatus.OK);
    return view;
  }

  @Get('policy')
  policy(@Param('slug', SlugPipe) slug: string) {
    return this.gates.getPolicy(slug);
  }

  /** Replaces the whole policy: a field left out goes back to its default. */
  @Put('policy')
  @RequireRole('admin')
  putPolicy(@Param('slug', SlugPipe) slug: string, @Body() body: PutGatePolicyDto, @CurrentPrincipal() actor: Principal) {
    const policy = {
      evalThreshold: body.evalThreshold ?? DEFAULT_GATE_POLICY.evalThreshold,
      highStakes: body.highStakes ?? DEFAULT_GATE_POLICY.highStakes,
      canaryPercent: body.canaryPercent ?? DEFAULT_GATE_POLICY.canaryPercent,
    };
    return this.gates.putPolicy(slug, policy, body.reason, actor);
  }
}
