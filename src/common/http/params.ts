import { BadRequestException, type PipeTransform } from '@nestjs/common';
import { isValidSlug } from '../../registry/domain/slug';

/** Route param `slug`: 400 naming the field when it breaks the slug pattern. */
export class SlugPipe implements PipeTransform<string, string> {
  transform(value: string): string {
    if (!isValidSlug(value)) {
      throw new BadRequestException({
        message: `slug must match ^[a-z0-9][a-z0-9-]{1,62}$ (got "${String(value).slice(0, 80)}")`,
        code: 'VALIDATION_FAILED',
        details: { fields: [{ field: 'slug', message: 'invalid slug' }] },
      });
    }
    return value;
  }
}

/** Route param `version`: a positive integer. */
export class VersionNumberPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const version = /^[1-9]\d{0,8}$/.test(value) ? Number(value) : NaN;
    if (!Number.isSafeInteger(version)) {
      throw new BadRequestException({
        message: `version must be a positive integer (got "${value.slice(0, 20)}")`,
        code: 'VALIDATION_FAILED',
        details: { fields: [{ field: 'version', message: 'not a positive integer' }] },
      });
    }
    return version;
  }
}
