import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyService } from './api-key.service';
import { CurrentPrincipal, RequireRole } from './auth.decorators';
import type { Principal } from './domain/principal';
import { CreateApiKeyDto, RevokeApiKeyQueryDto } from './dto/api-key.dto';

@ApiTags('keys')
@ApiBearerAuth()
@RequireRole('admin')
@Controller('v1/keys')
export class KeysController {
  constructor(private readonly keys: ApiKeyService) {}

  /** Returns the key once; only its hash is stored. */
  @Post()
  mint(@Body() body: CreateApiKeyDto, @CurrentPrincipal() actor: Principal) {
    return this.keys.mint(body.name, body.role, actor, body.reason);
  }

  @Get()
  async list() {
    return { items: await this.keys.list() };
  }

  @Delete(':id')
  @HttpCode(200)
  revoke(@Param('id') id: string, @Query() query: RevokeApiKeyQueryDto, @CurrentPrincipal() actor: Principal) {
    return this.keys.revoke(id, actor, query.reason);
  }
}
