import type { VariableDeclaration } from './prompt-version';
import {
  MAX_TEMPLATE_BYTES,
  MAX_VARIABLES,
  analyseTemplate,
  exceedsMaxTemplateBytes,
  lintTemplate,
  type LintIssue,
} from './template-lint';
import { MAX_TAG_WHITESPACE_RUN } from './template-tokens';

const req = (name: string): VariableDeclaration => ({ name, required: true });
const opt = (name: string): VariableDeclaration => ({ name });

describe(lintTemplate.name, () => {
  describe('accepts logic-less templates', () => {
    it.each<[string, string, VariableDeclaration[]]>([
      ['an empty template', '', []],
      ['plain text', 'Be concise.', []],
      ['a required placeholder', 'Hello {{name}}!', [req('name')]],
      ['spaces inside the tag', 'Hello {{  name }}!', [req('name')]],
      ['an identifier with digits and underscores', '{{_user_2}}', [req('_user_2')]],
      ['the same placeholder twice', '{{a}} and {{a}}', [req('a')]],
      ['comments', '{{! note for authors }}Hi {{name}}{{!another}}', [req('name')]],
      ['a comment that looks like logic', '{{! {{#x}} }}', []],
      ['lone braces and JSON', '{"a": {b}} } { }}', []],
      ['names that shadow Object.prototype', '{{constructor}}{{__proto__}}{{toString}}', [req('constructor'), req('__proto__'), req('toString')]],
      ['non-ASCII text', 'Grüße, {{name}} 😀', [req('name')]],
    ])('%s', (_name, template, variables) => {
      expect(lintTemplate(template, variables)).toEqual({ errors: [], warnings: [] });
    });
  });

  describe('errors', () => {
    it.each<[string, string, VariableDeclaration[], Partial<LintIssue>[]]>([
      [
        'undeclared placeholder, with position',
        'Hi {{nme}}',
        [opt('name')],
        [{ code: 'UNDECLARED_VARIABLE', variable: 'nme', line: 1, column: 4, offset: 3 }],
      ],
      [
        'undeclared placeholder on a later line',
        'a\r\nbb {{x}}',
        [],
        [{ code: 'UNDECLARED_VARIABLE', variable: 'x', line: 2, column: 4, offset: 6 }],
      ],
      [
        'every undeclared occurrence',
        '{{x}}\n{{x}}',
        [],
        [
          { code: 'UNDECLARED_VARIABLE', variable: 'x', line: 1, column: 1 },
          { code: 'UNDECLARED_VARIABLE', variable: 'x', line: 2, column: 1 },
        ],
      ],
      ['required variable unused', 'Hello', [req('name')], [{ code: 'REQUIRED_VARIABLE_UNUSED', variable: 'name' }]],
      ['section', 'a\n{{#items}}x{{/items}}', [], [{ code: 'LOGIC_NOT_ALLOWED', line: 2, column: 1, offset: 2 }]],
      ['inverted section', '{{^x}}none{{/x}}', [], [{ code: 'LOGIC_NOT_ALLOWED', offset: 0 }]],
      ['partial', 'x {{> footer}}', [], [{ code: 'LOGIC_NOT_ALLOWED', column: 3 }]],
      ['triple mustache', '{{{x}}}', [], [{ code: 'LOGIC_NOT_ALLOWED' }]],
      ['ampersand', '{{&x}}', [], [{ code: 'LOGIC_NOT_ALLOWED' }]],
      ['set-delimiter', 'a {{=<% %>=}} <%x%>', [], [{ code: 'LOGIC_NOT_ALLOWED', column: 3, offset: 2 }]],
      [
        'placeholders inside a refused section are still checked',
        '{{#s}}{{y}}{{/s}}',
        [],
        [
          { code: 'LOGIC_NOT_ALLOWED', offset: 0 },
          { code: 'UNDECLARED_VARIABLE', variable: 'y', offset: 6 },
        ],
      ],
      ['dotted name', '{{a.b}}', [opt('a')], [{ code: 'INVALID_PLACEHOLDER', variable: 'a.b', line: 1, column: 1 }]],
      ['implicit iterator', '{{.}}', [], [{ code: 'INVALID_PLACEHOLDER', variable: '.' }]],
      ['empty placeholder', 'x{{ }}', [], [{ code: 'INVALID_PLACEHOLDER', variable: '', column: 2 }]],
      ['hyphen', '{{a-b}}', [], [{ code: 'INVALID_PLACEHOLDER', variable: 'a-b' }]],
      ['leading digit', '{{1a}}', [], [{ code: 'INVALID_PLACEHOLDER', variable: '1a' }]],
      ['inner space', '{{a b}}', [], [{ code: 'INVALID_PLACEHOLDER', variable: 'a b' }]],
      ['non-ASCII name', '{{naïve}}', [], [{ code: 'INVALID_PLACEHOLDER', variable: 'naïve' }]],
      ['unclosed tag', 'line\n  {{x', [opt('x')], [{ code: 'TEMPLATE_PARSE_ERROR', line: 2, column: 3, offset: 7 }]],
      ['unclosed section', '{{#x}}', [], [{ code: 'TEMPLATE_PARSE_ERROR', offset: 6 }]],
      ['unopened section', 'a{{/x}}', [], [{ code: 'TEMPLATE_PARSE_ERROR', offset: 1 }]],
      [
        'whitespace run in a tag',
        `{{x${' '.repeat(MAX_TAG_WHITESPACE_RUN + 1)}}}`,
        [opt('x')],
        [{ code: 'TEMPLATE_PARSE_ERROR', offset: 0 }],
      ],
      ['duplicate declaration, reported once', '{{a}}', [opt('a'), req('a'), opt('a')], [{ code: 'DUPLICATE_VARIABLE', variable: 'a' }]],
      ['dotted declaration', 'x', [opt('a.b')], [{ code: 'INVALID_VARIABLE_NAME', variable: 'a.b' }]],
      ['empty declaration', 'x', [opt('')], [{ code: 'INVALID_VARIABLE_NAME', variable: '' }]],
      ['declaration with a leading digit', 'x', [opt('1x')], [{ code: 'INVALID_VARIABLE_NAME', variable: '1x' }]],
      [
        'non-string declaration (untyped input)',
        'x',
        [{ name: 7 } as unknown as VariableDeclaration],
        [{ code: 'INVALID_VARIABLE_NAME', variable: '7' }],
      ],
    ])('%s', (_name, template, variables, expected) => {
      const { errors } = lintTemplate(template, variables);
      expect(errors).toHaveLength(expected.length);
      expected.forEach((issue, i) => expect(errors[i]).toMatchObject(issue));
    });

    it.each<[string, string, RegExp]>([
      ['{{#items}}x{{/items}}', 'section', /^Sections .* are not allowed: prompts are logic-less\. Found "\{\{#items\}\}" at line 1, column 1$/],
      ['{{^x}}{{/x}}', 'inverted section', /^Inverted sections .*Found "\{\{\^x\}\}"/],
      ['{{>footer}}', 'partial', /^Partials .*Found "\{\{>footer\}\}"/],
      ['{{{x}}}', 'triple mustache', /^Unescaped placeholders .*Found "\{\{\{x\}\}\}"/],
      ['{{&x}}', 'ampersand', /^Unescaped placeholders .*Found "\{\{&x\}\}"/],
      ['{{=<% %>=}}', 'set-delimiter', /^Set-delimiter tags .*Found "\{\{=<% %>=\}\}" at line 1, column 1; the rest of the template was not checked$/],
      ['{{a.b}}', 'dotted', /^Placeholder "\{\{a\.b\}\}" at line 1, column 1 is not a plain variable name: dotted names are not supported$/],
      ['{{a-b}}', 'hyphen', /names must match \^\[A-Za-z_\]\[A-Za-z0-9_\]\*\$$/],
      ['{{x}}', 'undeclared', /^Placeholder "\{\{x\}\}" at line 1, column 1 uses "x", which is not declared$/],
      ['{{x', 'parse error', /^Template does not parse: Unclosed tag "\{\{x" at line 1, column 1$/],
      ['{{#x}}', 'mustache parse error', /^Template does not parse: Unclosed section "x" at line 1, column 7$/],
    ])('names the construct and where it is: %p (%s)', (template, _name, message) => {
      expect(lintTemplate(template, []).errors[0].message).toMatch(message);
    });

    it('shortens long tags in messages', () => {
      const name = `a${'b'.repeat(100)}`;
      const { message } = lintTemplate(`{{${name}}}`, [])[`errors`][0];
      expect(message).toContain(`"{{${name.slice(0, 38)}…"`);
      expect(message.length).toBeLessThan(200);
    });

    it(`refuses more than ${MAX_VARIABLES} variables`, () => {
      const names = Array.from({ length: MAX_VARIABLES + 1 }, (_, i) => `v${i}`);
      const template = names.map((n) => `{{${n}}}`).join(' ');
      expect(lintTemplate(template, names.map(opt)).errors).toEqual([
        { code: 'TOO_MANY_VARIABLES', message: `Declares ${MAX_VARIABLES + 1} variables; at most ${MAX_VARIABLES} are allowed` },
      ]);
      expect(lintTemplate(template, names.slice(1).map(opt)).errors.map((e) => e.code)).toEqual(['UNDECLARED_VARIABLE']);
    });

    it('gives one error for one mistake: a refused tag on a declared variable counts as a use', () => {
      const { errors, warnings } = lintTemplate('{{{name}}} {{#items}}{{/items}}', [req('name'), opt('items')]);
      expect(errors.map((e) => e.code)).toEqual(['LOGIC_NOT_ALLOWED', 'LOGIC_NOT_ALLOWED']);
      expect(warnings).toEqual([]);
    });

    it('does not report unused variables when the template does not parse', () => {
      expect(lintTemplate('{{x', [req('a'), opt('b')])).toEqual({
        errors: [expect.objectContaining({ code: 'TEMPLATE_PARSE_ERROR' })],
        warnings: [],
      });
    });

    it('does not report usage of an invalid or duplicated declaration twice', () => {
      const { errors, warnings } = lintTemplate('{{a}}', [req('a'), req('a'), req('b-c')]);
      expect(errors.map((e) => e.code)).toEqual(['DUPLICATE_VARIABLE', 'INVALID_VARIABLE_NAME']);
      expect(warnings).toEqual([]);
    });

    it('orders errors: declarations, then the template in document order, then unused variables', () => {
      const { errors } = lintTemplate('{{y}} {{#s}}{{/s}} {{a.b}}', [req('x'), req('x'), req('1'), req('z')]);
      expect(errors.map((e) => [e.code, e.variable ?? e.offset])).toEqual([
        ['DUPLICATE_VARIABLE', 'x'],
        ['INVALID_VARIABLE_NAME', '1'],
        ['UNDECLARED_VARIABLE', 'y'],
        ['LOGIC_NOT_ALLOWED', 6],
        ['INVALID_PLACEHOLDER', 'a.b'],
        ['REQUIRED_VARIABLE_UNUSED', 'x'],
        ['REQUIRED_VARIABLE_UNUSED', 'z'],
      ]);
    });
  });

  describe('warnings', () => {
    it('warns about an unused optional variable, and nothing else', () => {
      expect(lintTemplate('Hi {{name}}', [req('name'), opt('tone'), { name: 'style', required: false }])).toEqual({
        errors: [],
        warnings: [
          { code: 'OPTIONAL_VARIABLE_UNUSED', variable: 'tone', message: 'Optional variable "tone" is declared but the template never uses it' },
          { code: 'OPTIONAL_VARIABLE_UNUSED', variable: 'style', message: 'Optional variable "style" is declared but the template never uses it' },
        ],
      });
    });
  });

  it('lints a 64 KiB template quickly', () => {
    const template = '{{a}} text {{! c }}\n'.repeat(Math.floor(MAX_TEMPLATE_BYTES / 20));
    const started = performance.now();
    expect(lintTemplate(template, [req('a')]).errors).toEqual([]);
    expect(performance.now() - started).toBeLessThan(500);
  });
});

describe(analyseTemplate.name, () => {
  it('returns the tokens with the report', () => {
    expect(analyseTemplate('Hi {{a}}', [opt('a')])).toEqual({
      report: { errors: [], warnings: [] },
      tokens: [
        ['text', 'Hi ', 0, 3],
        ['name', 'a', 3, 8],
      ],
    });
  });

  it('returns no tokens when the template does not parse', () => {
    expect(analyseTemplate('{{a', [opt('a')]).tokens).toBeUndefined();
  });
});

describe(exceedsMaxTemplateBytes.name, () => {
  it.each<[string, string, boolean]>([
    ['empty', '', false],
    ['exactly the limit in ASCII', 'a'.repeat(MAX_TEMPLATE_BYTES), false],
    ['one byte over in ASCII', 'a'.repeat(MAX_TEMPLATE_BYTES + 1), true],
    ['the limit in 2-byte characters', 'é'.repeat(MAX_TEMPLATE_BYTES / 2), false],
    ['over the limit in 2-byte characters', 'é'.repeat(MAX_TEMPLATE_BYTES / 2 + 1), true],
    ['the limit in 3-byte characters, plus one', '€'.repeat((MAX_TEMPLATE_BYTES - 1) / 3) + 'a', false],
    ['3-byte characters, one over', '€'.repeat((MAX_TEMPLATE_BYTES - 1) / 3) + 'ab', true],
    ['4-byte characters at the limit', '😀'.repeat(MAX_TEMPLATE_BYTES / 4), false],
    ['4-byte characters over', '😀'.repeat(MAX_TEMPLATE_BYTES / 4) + 'a', true],
    ['a third of the limit in 3-byte characters', '€'.repeat(MAX_TEMPLATE_BYTES / 4), false],
  ])('%s', (_name, template, expected) => {
    expect(exceedsMaxTemplateBytes(template)).toBe(expected);
    expect(Buffer.byteLength(template) > MAX_TEMPLATE_BYTES).toBe(expected);
  });
});
