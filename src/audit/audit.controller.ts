import { Controller, Get, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { RequireRole } from '../auth/auth.decorators';
import { AuditLog, PromptStore } from '../store/ports/prompt-store.port';
import { verifyAuditChain } from './domain/audit-chain';
import { SYSTEM_CHAIN } from './domain/audit-entry';
import { AuditQueryDto, AuditVerifyQueryDto } from './dto/audit-query.dto';

@ApiTags('audit')
@ApiBearerAuth()
@RequireRole('reader')
@Controller('v1/audit')
export class AuditController {
  constructor(
    private readonly audit: AuditLog,
    private readonly prompts: PromptStore,
  ) {}

  /** Newest first: who changed what, when and why. */
  @Get()
  async list(@Query() query: AuditQueryDto) {
    const items = await this.audit.list({ slug: query.slug, limit: query.limit ?? 50, beforeAt: query.before });
    return { items };
  }

  /** Re-checks the hash chains: any edited, deleted or reordered entry is reported with its position. */
  @Get('verify')
  @RequireRole('admin')
  async verify(@Query() query: AuditVerifyQueryDto) {
    const chains = query.chain ? [query.chain] : [SYSTEM_CHAIN, ...(await this.prompts.listPrompts()).map((p) => p.slug)];
    const results = await Promise.all(chains.map(async (chain) => ({ chain, ...verifyAuditChain(await this.audit.readChain(chain)) })));
    return { ok: results.every((r) => r.ok), chains: results };
  }
}
