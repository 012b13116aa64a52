import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsNumber, IsOptional, IsString, IsUrl, Length, Max, Min, ValidateIf } from 'class-validator';

export class RecordEvalDto {
  @ApiProperty({ example: 'sha256:9f2c…', description: 'Hash of the eval suite that ran; must match the version’s declared evalHash when it has one' })
  @IsString() @Length(1, 128)
  suiteHash!: string;

  @ApiProperty({ example: 0.93 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  score!: number;

  @ApiProperty({ description: 'The eval run’s own verdict' })
  @IsBoolean()
  passed!: boolean;

  @ApiPropertyOptional({ example: 'https://ci.example.com/runs/1234' })
  @IsOptional() @IsUrl({ require_protocol: true, protocols: ['http', 'https'] }) @Length(1, 2000)
  runUrl?: string;
}

export class ApproveVersionDto {
  @ApiProperty({ example: 'Read the diff and the eval report; fine to ship' })
  @IsString() @Length(1, 2000)
  comment!: string;
}

export class PutGatePolicyDto {
  @ApiPropertyOptional({ nullable: true, example: 0.9, description: 'Minimum eval score; null: the eval’s `passed` decides alone' })
  @ValidateIf((_, value) => value !== null && value !== undefined) @IsNumber({ allowNaN: false, allowInfinity: false })
  evalThreshold?: number | null;

  @ApiPropertyOptional({ default: false, description: 'Also require an approval by someone other than the author' })
  @IsOptional() @IsBoolean()
  highStakes?: boolean;

  @ApiPropertyOptional({ default: 5, minimum: 0, maximum: 100, description: 'Largest share (percent) a version may get before meeting the gates' })
  @IsOptional() @IsNumber({ allowNaN: false, allowInfinity: false }) @Min(0) @Max(100)
  canaryPercent?: number;

  @ApiProperty({ example: 'Billing answers are high-stakes' })
  @IsString() @Length(1, 2000)
  reason!: string;
}
