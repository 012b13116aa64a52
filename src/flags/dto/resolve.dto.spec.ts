import 'reflect-metadata';
import { type ArgumentMetadata, BadRequestException, ValidationPipe } from '@nestjs/common';
import fc from 'fast-check';
import { createValidationPipe } from '../../common/http/validation.pipe';
import { ResolveRequestDto } from './resolve.dto';

const BODY: ArgumentMetadata = { type: 'body', metatype: ResolveRequestDto };
/** The decorators alone, with createValidationPipe's options: what acceptsAsIs must never outdo. */
const decorators = new ValidationPipe({ whitelist: true, forbidNonWhitelisted: true, transform: true });

async function decoratorsAccept(body: unknown): Promise<unknown> {
  return decorators.transform(structuredClone(body), BODY);
}

describe('ResolveRequestDto.acceptsAsIs', () => {
  it.each([
    [{ targetingKey: 'user-1' }],
    [{ targetingKey: 'u', context: { tenant: 'acme', seats: 12, beta: true, region: null }, variables: { company: 'Acme' } }],
    [{ targetingKey: 'k'.repeat(256), context: null, variables: {} }],
  ])('accepts the usual body %p, which the decorators accept unchanged', async (body) => {
    expect(ResolveRequestDto.acceptsAsIs(body)).toBe(true);
    expect(await decoratorsAccept(body)).toEqual(body);
  });

  it.each<[unknown, string]>([
    [null, 'no object'],
    ['user-1', 'a string'],
    [[{ targetingKey: 'u' }], 'an array'],
    [Object.assign(Object.create(null) as object, { targetingKey: 'u' }), 'an object without Object.prototype'],
    [{}, 'no targeting key'],
    [{ targetingKey: '' }, 'an empty targeting key'],
    [{ targetingKey: 'k'.repeat(257) }, 'a targeting key over 256 characters'],
    [{ targetingKey: 7 }, 'a numeric targeting key'],
    [{ targetingKey: 'u', tenant: 'acme' }, 'an unknown field'],
    [{ targetingKey: 'u', constructor: 'x' }, 'a constructor field'],
    [{ targetingKey: 'u', context: ['acme'] }, 'an array context'],
    [{ targetingKey: 'u', context: { tenant: { id: 1 } } }, 'a nested context value'],
    [{ targetingKey: 'u', variables: { list: [1, 2] } }, 'an array variable'],
    [{ targetingKey: 'u', variables: { prototype: 'x' } }, 'a key the pipe strips'],
  ])('leaves %p (%s) to the decorators', (body) => {
    expect(ResolveRequestDto.acceptsAsIs(body)).toBe(false);
  });

  it('never accepts a body the decorators would refuse or change', async () => {
    const anyJson = fc.jsonValue({ maxDepth: 2 });
    const field = fc.oneof(fc.constantFrom('constructor', 'prototype', '__proto__', 'tenant'), fc.string({ maxLength: 8 }));
    const flatRecord = fc.dictionary(field, fc.oneof(fc.string(), fc.integer(), fc.boolean(), fc.constant(null), anyJson));
    const body = fc.oneof(
      anyJson,
      fc.record(
        {
          targetingKey: fc.oneof(fc.string({ minLength: 0, maxLength: 300 }), anyJson),
          context: fc.oneof(flatRecord, anyJson),
          variables: fc.oneof(flatRecord, anyJson),
          extra: anyJson,
        },
        { requiredKeys: [] },
      ),
    );
    await fc.assert(
      fc.asyncProperty(body, async (value) => {
        if (!ResolveRequestDto.acceptsAsIs(value)) return;
        expect(await decoratorsAccept(value)).toEqual(value);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('the validation pipe on ResolveRequestDto', () => {
  const sut = createValidationPipe();

  it('returns an accepted body as it came', async () => {
    const body = { targetingKey: 'user-1', variables: { company: 'Acme' } };
    expect(await sut.transform(body, BODY)).toBe(body);
  });

  it("words a refused body's errors as class-validator does, naming each field", async () => {
    const refusal = sut.transform({ targetingKey: 7, tenant: 'acme' }, BODY);
    await expect(refusal).rejects.toThrow(BadRequestException);
    const response = (await refusal.catch((error: BadRequestException) => error)).getResponse();
    expect(response).toEqual({
      message: 'property tenant should not exist; targetingKey must be longer than or equal to 1 and shorter than or equal to 256 characters; targetingKey must be a string',
      code: 'VALIDATION_FAILED',
      details: {
        fields: [
          { field: 'tenant', message: 'property tenant should not exist' },
          { field: 'targetingKey', message: 'targetingKey must be longer than or equal to 1 and shorter than or equal to 256 characters' },
          { field: 'targetingKey', message: 'targetingKey must be a string' },
        ],
      },
    });
  });
});
