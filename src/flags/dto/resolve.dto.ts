import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';

export class ResolveRequestDto {
  @ApiProperty({ example: 'user-123', description: 'Who is asking; the split buckets on it unless the rollout names bucketBy' })
  @IsString() @Length(1, 256)
  targetingKey!: string;

  @ApiPropertyOptional({ example: { tenant: 'acme', locale: 'de-DE' }, description: 'Attributes the rollout rules match on' })
  @IsOptional() @IsObject()
  context?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ example: { company: 'Acme', ticket: 'My invoice is wrong' }, description: 'Render the template with these values' })
  @IsOptional() @IsObject()
  variables?: Record<string, string | number | boolean>;
}
