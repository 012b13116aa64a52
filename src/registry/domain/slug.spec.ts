import fc from 'fast-check';
import { SLUG_PATTERN, isValidSlug } from './slug';

describe(isValidSlug.name, () => {
  it.each([
    ['ab'],
    ['a1'],
    ['00'],
    ['checkout-summary'],
    ['a-'],
    ['9-lives'],
    ['a'.repeat(63)],
  ])('accepts %p', (slug) => {
    expect(isValidSlug(slug)).toBe(true);
  });

  it.each([
    ['', 'empty'],
    ['a', 'one character'],
    ['a'.repeat(64), '64 characters'],
    ['-ab', 'leading hyphen'],
    ['Ab', 'uppercase'],
    ['a_b', 'underscore'],
    ['a.b', 'dot'],
    ['a b', 'space'],
    ['ab\n', 'trailing newline'],
    ['\nab', 'leading newline'],
    ['ab/c', 'slash'],
    ['ab:c', 'colon (Redis key separator)'],
    ['caf\u00e9', 'non-ASCII letter'],
    ['\uff41b', 'fullwidth letter'],
  ])('refuses %p (%s)', (slug) => {
    expect(isValidSlug(slug)).toBe(false);
  });

  it.each([[undefined], [null], [12], [['ab']], [{ toString: () => 'ab' }]])('refuses the non-string %p', (value) => {
    expect(isValidSlug(value)).toBe(false);
  });

  it('agrees with SLUG_PATTERN on every string, and every valid slug is 2..63 chars of [a-z0-9-]', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ab09-_A.:/ \n'), maxLength: 70 }), (s) => {
        const valid = isValidSlug(s);
        expect(valid).toBe(SLUG_PATTERN.test(s));
        if (valid) {
          expect(s.length).toBeGreaterThanOrEqual(2);
          expect(s.length).toBeLessThanOrEqual(63);
          expect(s[0]).not.toBe('-');
          expect([...s].every((c) => /[a-z0-9-]/.test(c))).toBe(true);
        }
      }),
    );
  });
});
