import { FrozenJsonInterner } from './frozen-json';

describe(FrozenJsonInterner.name, () => {
  it('copies deeply and freezes, leaving the original untouched', () => {
    const original = { a: [1, { b: 'x' }], c: null };
    const copy = new FrozenJsonInterner().copy(original);

    expect(copy).toEqual(original);
    expect(copy).not.toBe(original);
    expect(Object.isFrozen(copy) && Object.isFrozen(copy.a) && Object.isFrozen(copy.a[1])).toBe(true);
    expect(Object.isFrozen(original)).toBe(false);
  });

  it('shares small identical subtrees between copies, and keeps long strings by reference', () => {
    const sut = new FrozenJsonInterner();
    const template = 'x'.repeat(2000);
    const one = sut.copy({ template, variables: [{ name: 'a', required: true }] });
    const two = sut.copy({ template: `${template}`, variables: [{ name: 'a', required: true }] });

    expect(two.variables).toBe(one.variables);
    expect(two).not.toBe(one);
    expect(one.template).toBe(template);
  });

  it('keeps own properties named like Object.prototype members', () => {
    const copy = new FrozenJsonInterner().copy(JSON.parse('{"__proto__": {"x": 1}, "constructor": 2}') as Record<string, unknown>);

    expect(Object.keys(copy)).toEqual(['__proto__', 'constructor']);
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });
});
