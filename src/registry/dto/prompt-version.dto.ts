import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PROMPT_STATUSES, type PromptStatus } from '../domain/prompt-version';

/** A dated model id such as gpt-4o-2024-08-06 or claude-3-5-sonnet-20241022: the date pins behaviour. */
export const DATED_MODEL_ID = /^[A-Za-z0-9][A-Za-z0-9._:/-]*(\d{4}-\d{2}-\d{2}|\d{8})[A-Za-z0-9._:/-]*$/;

export class VariableDeclarationDto {
  @ApiProperty({ example: 'customer_name' })
  @IsString() @Length(1, 64)
  name!: string;

  @ApiPropertyOptional({ default: false })
  @IsOptional() @IsBoolean()
  required?: boolean;

  @ApiPropertyOptional()
  @IsOptional() @IsString() @Length(0, 500)
  description?: string;
}

export class CreateVersionDto {
  @ApiProperty({ example: 'Classify this ticket from {{customer_name}}: {{ticket}}', description: 'Mustache-style {{name}} placeholders only' })
  @IsString()
  template!: string;

  @ApiPropertyOptional({ type: [VariableDeclarationDto], default: [] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => VariableDeclarationDto)
  variables?: VariableDeclarationDto[];

  @ApiProperty({ example: 'gpt-4o-2024-08-06' })
  @IsString() @Length(1, 128) @Matches(DATED_MODEL_ID, { message: 'modelHint must be a dated model id, e.g. gpt-4o-2024-08-06' })
  modelHint!: string;

  @ApiProperty({ example: 'Shorter persona; fixes over-long answers' })
  @IsString() @Length(1, 2000)
  rationale!: string;

  @ApiPropertyOptional({ description: 'Hash of the eval suite this version was validated against' })
  @IsOptional() @IsString() @Length(1, 128)
  evalHash?: string;
}

export class LintRequestDto {
  @ApiProperty()
  @IsString()
  template!: string;

  @ApiPropertyOptional({ type: [VariableDeclarationDto], default: [] })
  @IsOptional() @IsArray() @ArrayMaxSize(100) @ValidateNested({ each: true }) @Type(() => VariableDeclarationDto)
  variables?: VariableDeclarationDto[];
}

export class ChangeStatusDto {
  @ApiProperty({ enum: PROMPT_STATUSES })
  @IsIn(PROMPT_STATUSES)
  status!: PromptStatus;

  @ApiProperty({ example: 'Eval suite passed at 0.93' })
  @IsString() @Length(1, 2000)
  reason!: string;
}

export class ListVersionsQueryDto {
  @ApiPropertyOptional({ default: 0 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(0)
  offset?: number;

  @ApiPropertyOptional({ default: 20, maximum: 100 })
  @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(100)
  limit?: number;
}
