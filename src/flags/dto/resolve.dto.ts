import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsObject, IsOptional, IsString, Length } from 'class-validator';

const MAX_TARGETING_KEY_LENGTH = 256;

export class ResolveRequestDto {
  @ApiProperty({ example: 'user-123', description: 'Who is asking; the split buckets on it unless the rollout names bucketBy' })
  @IsString() @Length(1, MAX_TARGETING_KEY_LENGTH)
  targetingKey!: string;

  @ApiPropertyOptional({ example: { tenant: 'acme', locale: 'de-DE' }, description: 'Attributes the rollout rules match on' })
  @IsOptional() @IsObject()
  context?: Record<string, string | number | boolean>;

  @ApiPropertyOptional({ example: { company: 'Acme', ticket: 'My invoice is wrong' }, description: 'Render the template with these values' })
  @IsOptional() @IsObject()
  variables?: Record<string, string | number | boolean>;

  /**
   * The resolve route's usual body, accepted without class-transformer and class-validator (about 45 µs a request
   * under load): only known fields, a targeting key of the allowed length, and `context` / `variables` as flat objects
   * of primitives. Anything else goes through the decorators above (see AcceptsAsIs in validation.pipe.ts).
   */
  static acceptsAsIs(value: unknown): boolean {
    if (!isPlainRecord(value)) return false;
    for (const key in value) if (key !== 'targetingKey' && key !== 'context' && key !== 'variables') return false;
    const { targetingKey, context, variables } = value;
    return (
      typeof targetingKey === 'string' &&
      targetingKey.length >= 1 &&
      targetingKey.length <= MAX_TARGETING_KEY_LENGTH &&
      (context === undefined || context === null || isFlatRecord(context)) &&
      (variables === undefined || variables === null || isFlatRecord(variables))
    );
  }
}

function isPlainRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype;
}

/** Keys the validation pipe would strip from any object (prototype pollution guards). */
function isStrippedKey(key: string): boolean {
  return key === 'constructor' || key === 'prototype' || key === '__proto__';
}

function isFlatRecord(value: unknown): boolean {
  if (!isPlainRecord(value)) return false;
  for (const key in value) {
    if (isStrippedKey(key)) return false;
    const item = value[key];
    if (item !== null && typeof item !== 'string' && typeof item !== 'number' && typeof item !== 'boolean') return false;
  }
  return true;
}
