import { type ArgumentMetadata, BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/**
 * A DTO class on a hot route may declare `acceptsAsIs(value)`: true only for values that class-transformer and
 * class-validator would accept and copy unchanged (no key stripped, nothing converted). Such a value is returned as
 * it came (a plain object, not an instance of the class). Every other value, including every invalid one, still goes
 * through the decorators, so there is one set of rules and one wording of the errors; a DTO's spec checks that its
 * `acceptsAsIs` never accepts more than the decorators do.
 */
export interface AcceptsAsIs {
  acceptsAsIs(value: unknown): boolean;
}

/** Strict DTO validation: unknown fields are refused, and every message names its field path. */
export function createValidationPipe(): ValidationPipe {
  return new StrictValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => {
      const problems = flattenValidationErrors(errors);
      return new BadRequestException({
        message: problems.map((p) => p.message).join('; '),
        code: 'VALIDATION_FAILED',
        details: { fields: problems },
      });
    },
  });
}

class StrictValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    const metatype = metadata.metatype as Partial<AcceptsAsIs> | undefined;
    if (typeof metatype?.acceptsAsIs === 'function' && metatype.acceptsAsIs(value)) return value;
    return super.transform(value, metadata);
  }
}

export function flattenValidationErrors(errors: ValidationError[], parent = ''): { field: string; message: string }[] {
  return errors.flatMap((error) => {
    const field = !parent ? error.property : /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : `${parent}.${error.property}`;
    const own = Object.values(error.constraints ?? {}).map((text) => ({
      field,
      message: text.startsWith(error.property) ? `${field}${text.slice(error.property.length)}` : text.startsWith('property ') ? text.replace(error.property, field) : `${field}: ${text}`,
    }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}
