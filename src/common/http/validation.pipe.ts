import { BadRequestException, ValidationPipe, type ValidationError } from '@nestjs/common';

/** Strict DTO validation: unknown fields are refused, and every message names its field path. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
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
