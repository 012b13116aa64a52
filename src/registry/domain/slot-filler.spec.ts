import { slotFiller } from './slot-filler';

describe(slotFiller.name, () => {
  // variables: a (required), b (optional), c (required, no slot); slots: a, b, a
  const fill = slotFiller(['a', 'b', 'c'], new Set(['a', 'c']), [0, 1, 0]);
  const parts = ['<', '|', '|', '>'];

  it('joins parts and string values in template order', () => {
    expect(fill({ a: 'A', b: 'B', c: 'C' }, parts, Object.hasOwn)).toBe('<A|B|A>');
  });

  it('renders an absent optional variable as the empty string', () => {
    expect(fill({ a: 'A', c: 'C' }, parts, Object.hasOwn)).toBe('<A||A>');
    expect(fill({ a: 'A', b: null, c: 'C' }, parts, Object.hasOwn)).toBe('<A||A>');
  });

  it.each([
    ['a number', { a: 1, c: 'C' }],
    ['a missing required variable', { b: 'B', c: 'C' }],
    ['a missing required variable without a slot', { a: 'A' }],
    ['an inherited value', Object.assign(Object.create({ a: 'A' }) as object, { c: 'C' })],
  ])('leaves %s to the checked path (undefined)', (_name, values) => {
    expect(fill(values as Record<string, unknown>, parts, Object.hasOwn)).toBeUndefined();
  });
});
