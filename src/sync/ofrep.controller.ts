import { Body, Controller, Headers, HttpCode, Param, Post, Res, UseFilters, UseGuards } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '../auth/auth.decorators';
import { LogFailuresOnly } from '../common/http/access-log.hooks';
import { OfrepAuthGuard } from './ofrep-auth.guard';
import { OfrepExceptionFilter } from './ofrep-exception.filter';
import { OfrepService } from './ofrep.service';

/**
 * OpenFeature Remote Evaluation Protocol (OFREP) v1: each prompt slug is a flag whose value is the prompt version
 * this context gets. Public for the global guard only: {@link OfrepAuthGuard} checks the key, answering failures the
 * OFREP way (no body).
 *
 * @see https://github.com/open-feature/protocol/blob/main/service/openapi.yaml
 */
@ApiTags('ofrep')
@ApiBearerAuth()
@Public()
@UseGuards(OfrepAuthGuard)
@UseFilters(OfrepExceptionFilter)
@Controller('ofrep/v1/evaluate/flags')
export class OfrepController {
  constructor(private readonly ofrep: OfrepService) {}

  @Post(':key')
  @HttpCode(200)
  @LogFailuresOnly()
  @ApiOperation({ summary: 'Evaluate one flag (prompt slug) for a context: {"context": {"targetingKey": "..."}}' })
  evaluate(@Param('key') key: string, @Body() body: unknown, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = this.ofrep.evaluate(key, body);
    reply.status(answer.status);
    return answer.body;
  }

  @Post()
  @HttpCode(200)
  @LogFailuresOnly()
  @ApiOperation({ summary: 'Evaluate every flag for a context; ETag / If-None-Match answers 304 when nothing changed' })
  evaluateAll(@Body() body: unknown, @Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const answer = this.ofrep.evaluateAll(body, ifNoneMatch);
    if (answer.etag !== undefined) reply.header('ETag', answer.etag).header('Cache-Control', 'no-cache');
    reply.status(answer.status);
    return answer.body;
  }
}
