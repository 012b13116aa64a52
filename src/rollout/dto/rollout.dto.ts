import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsInt, IsObject, IsOptional, IsString, Length, Min, ValidateIf, ValidateNested } from 'class-validator';

export class AllocationDto {
  @ApiProperty({ example: 3 })
  @IsInt() @Min(1)
  version!: number;

  @ApiProperty({ example: 500, description: 'Relative integer weight: 1 of a 10,000 total is 0.01%' })
  @IsInt() @Min(0)
  weight!: number;
}

export class TargetingRuleDto {
  @ApiPropertyOptional({ example: 'acme-beta' })
  @IsOptional() @IsString() @Length(1, 100)
  name?: string;

  @ApiProperty({ example: { tenant: ['acme'], locale: ['de-DE'] }, description: 'Every attribute must equal one of its values' })
  @IsObject()
  match!: Record<string, string[]>;

  @ApiProperty({ example: 3 })
  @IsInt() @Min(1)
  version!: number;
}

export class StatsigAllocationDto {
  @ApiProperty({ example: 'support_triage_split', description: 'Statsig experiment whose config value holds the allocation' })
  @IsString() @Length(1, 200)
  experiment!: string;

  @ApiPropertyOptional({ example: 'allocation', description: 'The config field holding [{version, weight}…]; `allocation` when absent' })
  @IsOptional() @IsString() @Length(1, 100)
  parameter?: string;
}

export class PutRolloutDto {
  @ApiProperty({ type: [AllocationDto], description: 'The split, in order; keep a ramping version at one end so users stay sticky. Optional with statsigAllocation' })
  @ValidateIf((dto: PutRolloutDto) => dto.statsigAllocation === undefined || dto.allocation !== undefined)
  @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => AllocationDto)
  allocation?: AllocationDto[];

  @ApiPropertyOptional({ type: StatsigAllocationDto, description: 'Take the weights from a Statsig experiment (needs STATSIG_SERVER_SECRET); kept in sync' })
  @IsOptional() @ValidateNested() @Type(() => StatsigAllocationDto)
  statsigAllocation?: StatsigAllocationDto;

  @ApiPropertyOptional({ type: [TargetingRuleDto], default: [] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => TargetingRuleDto)
  rules?: TargetingRuleDto[];

  @ApiPropertyOptional({ example: 'sessionId', description: 'Context attribute to bucket on instead of the targeting key' })
  @IsOptional() @IsString() @Length(1, 100)
  bucketBy?: string;

  @ApiPropertyOptional({ example: 4, description: 'A staging version resolve also returns, marked as the shadow (run it, log it, never serve it)' })
  @IsOptional() @IsInt() @Min(1)
  shadow?: number;

  @ApiProperty({ example: 'Start the v3 canary at 5%' })
  @IsString() @Length(1, 2000)
  reason!: string;
}
