import { Controller, Get, Headers, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { RequireRole } from '../auth/auth.decorators';
import { ServingState } from './serving-state.service';

@ApiTags('flags')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/flags')
export class FlagsController {
  constructor(private readonly state: ServingState) {}

  /**
   * The whole current flagd document (flags.json format), for flagd's HTTP sync or any in-process provider.
   * Answers 304 when If-None-Match carries the current ETag.
   */
  @Get()
  export(@Headers('if-none-match') ifNoneMatch: string | undefined, @Res({ passthrough: true }) reply: FastifyReply) {
    const document = this.state.exportDocument();
    const etag = `"${document.metadata.version}"`;
    reply.header('ETag', etag).header('Cache-Control', 'no-cache');
    if (ifNoneMatch && ifNoneMatch.split(',').some((tag) => tag.trim() === etag || tag.trim() === `W/${etag}`)) {
      reply.status(304);
      return undefined;
    }
    return document;
  }
}
