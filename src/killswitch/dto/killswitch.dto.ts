import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class KillRequestDto {
  @ApiProperty({ example: 'v7 leaks system prompt (INC-1234)' })
  @IsString() @Length(1, 2000)
  reason!: string;

  @ApiPropertyOptional({ example: 5, description: 'Version to serve to everyone (staging, prod or deprecated). Default: the prod baseline, else the last prod' })
  @IsOptional() @IsInt() @Min(1) @Max(999_999_999)
  toVersion?: number;
}

export class RestoreRequestDto {
  @ApiProperty({ example: 'INC-1234 mitigated' })
  @IsString() @Length(1, 2000)
  reason!: string;
}

/** Incident-wide kill or restore: every slug at once. */
export class IncidentRequestDto extends RestoreRequestDto {}

export class RollbackRequestDto {
  @ApiProperty({ example: 4, description: 'A deprecated or staging version to re-promote to prod' })
  @IsInt() @Min(1) @Max(999_999_999)
  toVersion!: number;

  @ApiProperty({ example: 'v5 regressed refusals; back to v4' })
  @IsString() @Length(1, 2000)
  reason!: string;
}
