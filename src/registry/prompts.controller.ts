import { Body, Controller, Delete, Get, Headers, HttpCode, HttpStatus, Param, Patch, Post, Put, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentPrincipal, RequireRole } from '../auth/auth.decorators';
import type { Principal } from '../auth/domain/principal';
import { HttpExceptionWithHeaders } from '../common/http/domain-error.filter';
import { SlugPipe, VersionNumberPipe } from '../common/http/params';
import { ChangeStatusDto, CreateVersionDto, LintRequestDto, ListVersionsQueryDto } from './dto/prompt-version.dto';
import { PromptRegistryService } from './prompt-registry.service';

@ApiTags('registry')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1')
export class PromptsController {
  constructor(private readonly registry: PromptRegistryService) {}

  @Get('prompts')
  async listPrompts() {
    return { items: await this.registry.listPrompts() };
  }

  @Post('prompts/:slug/versions')
  @RequireRole('author')
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A retried create with the same key returns the first result' })
  async createVersion(
    @Param('slug', SlugPipe) slug: string,
    @Body() body: CreateVersionDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
    @CurrentPrincipal() author: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const key = idempotencyKey?.trim() || undefined;
    if (key && key.length > 200) throw new HttpExceptionWithHeaders({ message: 'Idempotency-Key must be at most 200 characters', code: 'VALIDATION_FAILED' }, 400, {});
    const { version, created, warnings } = await this.registry.createVersion(slug, { ...body, variables: body.variables ?? [] }, author, key);
    reply.status(HttpStatus.CREATED);
    if (!created) reply.header('Idempotent-Replayed', 'true');
    if (warnings.length > 0) reply.header('Warning', `199 promptflag "${warnings.length} lint warning(s)"`);
    return { ...version, warnings };
  }

  @Get('prompts/:slug/versions')
  listVersions(@Param('slug', SlugPipe) slug: string, @Query() query: ListVersionsQueryDto) {
    return this.registry.listVersions(slug, query.offset ?? 0, query.limit ?? 20);
  }

  @Get('prompts/:slug/versions/:version')
  getVersion(@Param('slug', SlugPipe) slug: string, @Param('version', VersionNumberPipe) version: number) {
    return this.registry.getVersion(slug, version);
  }

  /** Versions are immutable: a version has no PUT, PATCH or DELETE. */
  @Put('prompts/:slug/versions/:version')
  refusePut(): never {
    throw versionIsImmutable();
  }

  @Patch('prompts/:slug/versions/:version')
  refusePatch(): never {
    throw versionIsImmutable();
  }

  @Delete('prompts/:slug/versions/:version')
  refuseDelete(): never {
    throw versionIsImmutable();
  }

  @Post('prompts/:slug/versions/:version/status')
  @RequireRole('experimenter')
  @HttpCode(200)
  changeStatus(
    @Param('slug', SlugPipe) slug: string,
    @Param('version', VersionNumberPipe) version: number,
    @Body() body: ChangeStatusDto,
    @CurrentPrincipal() actor: Principal,
  ) {
    return this.registry.changeStatus(slug, version, body.status, body.reason, actor);
  }

  @Post('lint')
  @RequireRole('author')
  @HttpCode(200)
  lint(@Body() body: LintRequestDto) {
    const report = this.registry.lint(body.template, body.variables ?? []);
    if (report.errors.length > 0) {
      throw new HttpExceptionWithHeaders(
        { message: `template failed lint: ${report.errors.map((e) => e.message).join('; ')}`, code: 'LINT_FAILED', details: { ...report } },
        HttpStatus.UNPROCESSABLE_ENTITY,
        {},
      );
    }
    return { valid: true, ...report };
  }
}

function versionIsImmutable(): HttpExceptionWithHeaders {
  return new HttpExceptionWithHeaders(
    { message: 'Prompt versions are immutable: create a new version, or change its status', code: 'METHOD_NOT_ALLOWED' },
    HttpStatus.METHOD_NOT_ALLOWED,
    { Allow: 'GET, HEAD' },
  );
}
