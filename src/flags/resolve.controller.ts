import { Body, Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators';
import { LogFailuresOnly } from '../common/http/access-log.hooks';
import { SlugPipe } from '../common/http/params';
import { ResolveRequestDto } from './dto/resolve.dto';
import { PromptResolver } from './prompt-resolver.service';

@ApiTags('resolve')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/prompts')
export class ResolveController {
  constructor(private readonly resolver: PromptResolver) {}

  /** Which version this user gets, and the rendered prompt when `variables` are given. */
  @Post(':slug/resolve')
  @HttpCode(200)
  @LogFailuresOnly()
  resolve(@Param('slug', SlugPipe) slug: string, @Body() body: ResolveRequestDto) {
    return this.resolver.resolve(slug, body);
  }
}
