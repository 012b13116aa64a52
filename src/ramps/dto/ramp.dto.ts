import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsInt, IsObject, IsOptional, IsString, Length, Max, Min } from 'class-validator';

export class StartRampDto {
  @ApiProperty({ example: 3, description: 'The candidate: a staging version, promoted to prod when the ramp reaches 100%' })
  @IsInt() @Min(1) @Max(999_999_999)
  version!: number;

  @ApiProperty({ example: [1, 5, 25, 50, 100], description: "The candidate's share at each step, in percent: increasing, ending at 100" })
  @IsArray() @ArrayMinSize(1) @ArrayMaxSize(20) @IsInt({ each: true })
  steps!: number[];

  @ApiProperty({ example: 3600, description: 'Seconds each step holds before the next' })
  @IsInt() @Min(1)
  holdSeconds!: number;

  @ApiPropertyOptional({ example: { outcomeDropRelative: 0.05 }, description: "Guardrail rules (alert-rule overrides); the slug's alert rules when absent" })
  @IsOptional() @IsObject()
  guardrails?: Record<string, unknown>;

  @ApiProperty({ example: 'Ramp v3 after the offline eval' })
  @IsString() @Length(1, 2000)
  reason!: string;
}

export class RampActionDto {
  @ApiPropertyOptional({ example: 'Waiting for the weekend traffic' })
  @IsOptional() @IsString() @Length(1, 2000)
  reason?: string;
}
