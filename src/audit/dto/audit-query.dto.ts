import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsISO8601, IsOptional, IsString, Matches, Max, Min } from 'class-validator';

export class AuditQueryDto {
  @ApiPropertyOptional({ description: 'Only this slug’s entries' })
  @IsOptional() @IsString() @Matches(/^[a-z0-9][a-z0-9-]{1,62}$/, { message: 'slug must match ^[a-z0-9][a-z0-9-]{1,62}$' })
  slug?: string;

  @ApiPropertyOptional({ default: 50, maximum: 500 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(500)
  limit?: number;

  @ApiPropertyOptional({ description: 'Entries strictly older than this instant (for paging)' })
  @IsOptional() @IsISO8601()
  before?: string;
}

export class AuditVerifyQueryDto {
  @ApiPropertyOptional({ description: 'A slug, or _system; every chain when omitted' })
  @IsOptional() @IsString() @Matches(/^([a-z0-9][a-z0-9-]{1,62}|_system)$/, { message: 'chain must be a slug or _system' })
  chain?: string;
}
