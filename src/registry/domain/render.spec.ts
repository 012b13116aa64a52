import fc from 'fast-check';
import Mustache from 'mustache';
import { UnprocessableError } from '../../common/domain/domain-error';
import type { VariableDeclaration } from './prompt-version';
import {
  InvalidTemplateError,
  InvalidVariableValueError,
  MissingVariableError,
  UndeclaredVariableError,
} from './registry.errors';
import { compileTemplate, render, type RenderValues } from './render';

const req = (name: string): VariableDeclaration => ({ name, required: true });
const opt = (name: string): VariableDeclaration => ({ name });

/** The value `fn` throws, so its details can be asserted (toThrow sees only class and message). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

/** Strings that would mean something to a template engine or break naive string handling. */
const NASTY = [
  ...['{{x}}', '{{#s}}', '{{/s}}', '{{^s}}', '{{>p}}', '{{{x}}}', '{{&x}}', '{{=<% %>=}}', '{{! c }}'],
  ...['\u0000', '\ud800', '\udfff', '\udbff\udc00', '\r\n', '\u2028'],
  ...['$&', '$1', '<b>&amp;"\'</b>'],
];
const anyCodePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 });
const loneSurrogate = fc.integer({ min: 0xd800, max: 0xdfff }).map((c) => String.fromCharCode(c));
const nastyString = fc.oneof(
  fc.constantFrom(...NASTY),
  fc.string({ unit: fc.oneof(fc.constantFrom(...NASTY), anyCodePoint, loneSurrogate) }),
);

describe(compileTemplate.name, () => {
  it('splits the template into static parts and slots, dropping comments', () => {
    expect(compileTemplate('Hi {{ name }}{{! c }}, {{a}}{{name}}.', [req('name'), opt('a'), opt('unused')])).toEqual({
      parts: ['Hi ', ', ', '', '.'],
      slots: ['name', 'a', 'name'],
      slotRequired: [true, false, true],
      variables: ['name', 'a', 'unused'],
      declared: new Set(['name', 'a', 'unused']),
      requiredWithoutSlot: [],
      fill: expect.any(Function),
    });
  });

  it('compiles a template without placeholders to one part', () => {
    expect(compileTemplate('', [])).toMatchObject({ parts: [''], slots: [] });
    expect(compileTemplate('plain', [])).toMatchObject({ parts: ['plain'], slots: [] });
  });

  it('returns a frozen value', () => {
    const compiled = compileTemplate('{{a}}', [opt('a')]);
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(Object.isFrozen(compiled.parts)).toBe(true);
    expect(Object.isFrozen(compiled.slots)).toBe(true);
  });

  it.each<[string, string, VariableDeclaration[], string]>([
    ['a section', '{{#a}}x{{/a}}', [opt('a')], 'LOGIC_NOT_ALLOWED'],
    ['a partial', '{{>p}}', [], 'LOGIC_NOT_ALLOWED'],
    ['a triple mustache', '{{{a}}}', [opt('a')], 'LOGIC_NOT_ALLOWED'],
    ['a set-delimiter tag', '{{=<% %>=}}<%a%>', [opt('a')], 'LOGIC_NOT_ALLOWED'],
    ['an undeclared placeholder', '{{b}}', [opt('a')], 'UNDECLARED_VARIABLE'],
    ['a dotted placeholder', '{{a.b}}', [opt('a')], 'INVALID_PLACEHOLDER'],
    ['a parse error', '{{a', [opt('a')], 'TEMPLATE_PARSE_ERROR'],
    ['a duplicate declaration', '{{a}}', [opt('a'), req('a')], 'DUPLICATE_VARIABLE'],
    ['an invalid declaration', '{{a}}', [opt('a'), opt('b-c')], 'INVALID_VARIABLE_NAME'],
  ])('refuses %s', (_name, template, variables, code) => {
    const error = thrownBy(() => compileTemplate(template, variables));
    expect(error).toBeInstanceOf(InvalidTemplateError);
    expect(error).toBeInstanceOf(UnprocessableError);
    expect(error).toMatchObject({ code: 'UNPROCESSABLE', details: { errors: [expect.objectContaining({ code })] } });
  });

  it('still compiles what lint refuses only for new versions (unused required variable, too many variables)', () => {
    const compiled = compileTemplate('Hi', [req('gone')]);
    expect(compiled.requiredWithoutSlot).toEqual(['gone']);
    expect(() => render(compiled, {})).toThrow(MissingVariableError);
    expect(render(compiled, { gone: 'x' })).toBe('Hi');

    const many = Array.from({ length: 150 }, (_, i) => opt(`v${i}`));
    expect(render(compileTemplate('{{v149}}', many), { v149: 'ok' })).toBe('ok');
  });
});

describe(render.name, () => {
  it.each<[string, string, VariableDeclaration[], RenderValues, string]>([
    ['no placeholders', 'Be brief.', [], {}, 'Be brief.'],
    ['one placeholder', 'Hello {{name}}!', [req('name')], { name: 'Ada' }, 'Hello Ada!'],
    ['repeated and adjacent placeholders', '{{a}}{{b}}{{a}}', [req('a'), req('b')], { a: '1', b: '2' }, '121'],
    ['no HTML escaping', '{{x}}', [req('x')], { x: '<b>&"\'</b>' }, '<b>&"\'</b>'],
    ['replacement patterns stay literal', '{{x}}', [req('x')], { x: '$& $1 $$' }, '$& $1 $$'],
    ['an empty string value', '[{{x}}]', [req('x')], { x: '' }, '[]'],
    ['a missing optional value', '[{{x}}]', [opt('x')], {}, '[]'],
    ['null as no value', '[{{x}}]', [opt('x')], { x: null }, '[]'],
    ['undefined as no value', '[{{x}}]', [opt('x')], { x: undefined }, '[]'],
    ['an inline comment', 'a{{! note }}b', [], {}, 'ab'],
    ['a standalone comment line (removed with its line break)', 'a\n  {{! note }}  \nb', [], {}, 'a\nb'],
    ['a comment on a line with text', 'a {{! note }}\nb', [], {}, 'a \nb'],
    ['whitespace around a placeholder line is kept', 'a\n  {{x}}  \nb', [req('x')], { x: 'X' }, 'a\n  X  \nb'],
    ['an integer', '{{n}}', [req('n')], { n: 42 }, '42'],
    ['a decimal', '{{n}}', [req('n')], { n: 1.5 }, '1.5'],
    ['negative zero', '{{n}}', [req('n')], { n: -0 }, '0'],
    ['a large number', '{{n}}', [req('n')], { n: 1e21 }, '1e+21'],
    ['true', '{{b}}', [req('b')], { b: true }, 'true'],
    ['false', '{{b}}', [req('b')], { b: false }, 'false'],
    ['a name shadowing Object.prototype, unset', '[{{constructor}}{{toString}}]', [opt('constructor'), opt('toString')], {}, '[]'],
    ['__proto__ as an own key from JSON', '{{__proto__}}', [req('__proto__')], JSON.parse('{"__proto__":"p"}'), 'p'],
    ['a null-prototype values object', '{{a}}', [req('a')], Object.assign(Object.create(null), { a: 'x' }), 'x'],
  ])('%s', (_name, template, variables, values, expected) => {
    expect(render(compileTemplate(template, variables), values)).toBe(expected);
  });

  // mustache spec, interpolation.yml, "No Re-interpolation".
  it('does not re-interpolate: {{template}}: {{planet}} renders as {{planet}}: Earth', () => {
    const compiled = compileTemplate('{{template}}: {{planet}}', [req('template'), req('planet')]);
    expect(render(compiled, { template: '{{planet}}', planet: 'Earth' })).toBe('{{planet}}: Earth');
  });

  it.each(NASTY.map((value) => [JSON.stringify(value), value]))('inserts %s literally', (_shown, value) => {
    expect(render(compileTemplate('<{{x}}>', [req('x')]), { x: value })).toBe(`<${value}>`);
  });

  it('ignores inherited properties', () => {
    const values = Object.create({ a: 'inherited' }) as RenderValues;
    expect(render(compileTemplate('[{{a}}]', [opt('a')]), values)).toBe('[]');
    expect(() => render(compileTemplate('{{a}}', [req('a')]), values)).toThrow(MissingVariableError);
  });

  describe('refusals', () => {
    const compiled = compileTemplate('{{a}} {{b}} {{c}}', [opt('c'), req('b'), req('a')]);

    it('names a missing required variable, and lists every missing one in declaration order', () => {
      const error = thrownBy(() => render(compiled, { c: 'x' }));
      expect(error).toBeInstanceOf(MissingVariableError);
      expect(error).toBeInstanceOf(UnprocessableError);
      expect(error).toMatchObject({
        message: 'Missing values for required variables: b, a',
        details: { variable: 'b', missing: ['b', 'a'] },
      });
      expect(thrownBy(() => render(compiled, { a: 'x', b: null }))).toMatchObject({
        message: 'Missing value for required variable "b"',
        details: { variable: 'b', missing: ['b'] },
      });
    });

    it('names an undeclared variable, and checks that before anything else', () => {
      const error = thrownBy(() => render(compiled, { a: {}, zz: 'x', toString: 'y' }));
      expect(error).toBeInstanceOf(UndeclaredVariableError);
      expect(error).toBeInstanceOf(UnprocessableError);
      expect(error).toMatchObject({
        message: 'Variables "zz", "toString" are not declared by this version; declared: c, b, a',
        details: { variable: 'zz', undeclared: ['zz', 'toString'], declared: ['c', 'b', 'a'] },
      });
    });

    it('refuses an undeclared key even when its value is null', () => {
      expect(() => render(compiled, { a: 'x', b: 'y', d: null })).toThrow(UndeclaredVariableError);
    });

    it('refuses any value for a template that declares nothing', () => {
      expect(() => render(compileTemplate('x', []), { a: 'x' })).toThrow(
        'Variable "a" is not declared by this version; declared: none',
      );
    });

    it.each<[string, unknown, string]>([
      ['an object', { toString: () => 'x' }, 'object'],
      ['an array', ['x'], 'array'],
      ['NaN', Number.NaN, 'NaN'],
      ['Infinity', Number.POSITIVE_INFINITY, 'Infinity'],
      ['a bigint', 1n, 'bigint'],
      ['a function', () => 'x', 'function'],
      ['a symbol', Symbol('x'), 'symbol'],
    ])('refuses %s as a value, naming the variable', (_name, value, received) => {
      const error = thrownBy(() => render(compiled, { a: 'ok', b: value }));
      expect(error).toBeInstanceOf(InvalidVariableValueError);
      expect(error).toBeInstanceOf(UnprocessableError);
      expect(error).toMatchObject({
        message: `Variable "b" must be a string, finite number or boolean; received ${received}`,
        details: { variable: 'b', received },
      });
    });

    it('refuses an invalid value for an optional variable too', () => {
      expect(() => render(compiled, { a: 'ok', b: 'ok', c: [] })).toThrow(InvalidVariableValueError);
    });
  });

  it('keeps no state between calls', () => {
    const compiled = compileTemplate('{{a}}-{{b}}', [req('a'), opt('b')]);
    expect(() => render(compiled, {})).toThrow(MissingVariableError);
    expect(render(compiled, { a: '1', b: '2' })).toBe('1-2');
    expect(render(compiled, { a: '3' })).toBe('3-');
  });

  it('equals the naive concatenation for any text and any string values', () => {
    const names = ['a', 'b', 'c', 'constructor', '__proto__'];
    // Text may hold anything but `{`, which could open a tag.
    const text = fc.string({
      unit: fc.oneof(
        fc.constantFrom(' ', '\n', '\r', '\t', 'x', '}', '$', '\u0000', '\ud800'),
        anyCodePoint.filter((c) => c !== '{'),
      ),
    });
    const segment = fc.record({ name: fc.constantFrom(...names), pad: fc.constantFrom('', ' ', '  '), after: text });
    fc.assert(
      fc.property(
        text,
        fc.array(segment, { maxLength: 6 }),
        fc.record(Object.fromEntries(names.map((n) => [n, nastyString])) as Record<string, fc.Arbitrary<string>>),
        (head, segments, values) => {
          const template = head + segments.map((s) => `{{${s.pad}${s.name}${s.pad}}}${s.after}`).join('');
          const expected = head + segments.map((s) => values[s.name] + s.after).join('');
          const compiled = compileTemplate(template, names.map(req));
          expect(render(compiled, values)).toBe(expected);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('agrees with mustache (escaping off) on templates with comments, whitespace and line breaks', () => {
    const names = ['a', 'b', 'c'];
    const piece = fc.oneof(
      fc.constantFrom(' ', '  ', '\n', '\r\n', '\t', 'x', 'y z', '}'),
      fc.constantFrom(...names).map((n) => `{{${n}}}`),
      fc.constantFrom('{{! c }}', '{{!}}', '{{! multi\nline }}'),
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 12 }).map((pieces) => pieces.join('')),
        fc.record(Object.fromEntries(names.map((n) => [n, nastyString])) as Record<string, fc.Arbitrary<string>>, {
          requiredKeys: [],
        }),
        (template, values) => {
          const expected = Mustache.render(template, values, {}, { escape: (value: string) => value });
          expect(render(compileTemplate(template, names.map(opt)), values)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
