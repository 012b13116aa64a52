import fc from 'fast-check';
import Mustache from 'mustache';
import { MAX_TAG_WHITESPACE_RUN, parseTemplate, positionLookup } from './template-tokens';

function mustacheParse(template: string): unknown {
  try {
    return new Mustache.Writer().parse(template, ['{{', '}}']);
  } catch (error) {
    return error;
  }
}

describe(parseTemplate.name, () => {
  it('returns mustache tokens for a template that parses', () => {
    expect(parseTemplate('Hi {{ name }}!{{! c }}')).toEqual({
      ok: true,
      tokens: [
        ['text', 'Hi ', 0, 3],
        ['name', 'name', 3, 13],
        ['text', '!', 13, 14],
        ['!', 'c', 14, 22],
      ],
    });
  });

  it('returns no tokens for an empty template', () => {
    expect(parseTemplate('')).toEqual({ ok: true, tokens: [] });
  });

  it.each<[string, string, { kind: string; reason: string; offset?: number; end?: number }]>([
    ['unclosed tag', 'ab {{x', { kind: 'syntax', reason: 'Unclosed tag "{{x"', offset: 3 }],
    ['unclosed tag after a closed one', '{{a}} {{b {{c', { kind: 'syntax', reason: 'Unclosed tag "{{b {{c"', offset: 6 }],
    ['unclosed triple mustache', 'a {{{x}}', { kind: 'syntax', reason: 'Unclosed tag "{{{x}}"', offset: 2 }],
    ['unclosed section', '{{#s}}x', { kind: 'syntax', reason: 'Unclosed section "s"', offset: 7 }],
    ['unopened section', 'x{{/s}}', { kind: 'syntax', reason: 'Unopened section "s"', offset: 1 }],
    ['mismatched section', '{{#a}}{{/b}}', { kind: 'syntax', reason: 'Unclosed section "a"', offset: 6 }],
    ['set-delimiter tag', 'a{{=<% %>=}}<%x%>', { kind: 'set-delimiter', reason: 'set-delimiter tag', offset: 1, end: 12 }],
    ['set-delimiter after spaces', '{{ = | | = }}', { kind: 'set-delimiter', reason: 'set-delimiter tag', offset: 0, end: 13 }],
  ])('refuses: %s', (_name, template, failure) => {
    expect(parseTemplate(template)).toEqual({ ok: false, failure });
  });

  it(`refuses a tag holding more than ${MAX_TAG_WHITESPACE_RUN} consecutive whitespace characters`, () => {
    const ok = `{{!${' '.repeat(MAX_TAG_WHITESPACE_RUN)}}}`;
    const tooLong = `x{{!${' \n'.repeat(MAX_TAG_WHITESPACE_RUN / 2)} }}`;
    expect(parseTemplate(ok).ok).toBe(true);
    expect(parseTemplate(tooLong)).toEqual({
      ok: false,
      failure: {
        kind: 'syntax',
        reason: `Tag has ${MAX_TAG_WHITESPACE_RUN + 1} consecutive whitespace characters; at most ${MAX_TAG_WHITESPACE_RUN} are allowed inside a tag`,
        offset: 1,
        end: tooLong.length,
      },
    });
  });

  it('allows long whitespace outside tags', () => {
    expect(parseTemplate(`a${' '.repeat(10_000)}{{x}}${'\n'.repeat(10_000)}`).ok).toBe(true);
  });

  // Unguarded, mustache needs seconds for each of these (quadratic backtracking in /\s*}}/).
  it.each([
    ['unclosed tag with a long whitespace run', `{{x${' '.repeat(64 * 1024 - 4)}}`],
    ['closed tag with a long whitespace run', `{{x ${' '.repeat(64 * 1024 - 7)}}}`],
    ['triple mustache with a long whitespace run', `{{{x${' '.repeat(64 * 1024 - 7)}}}`],
    ['many maximal runs in one tag', `{{!${`${' '.repeat(MAX_TAG_WHITESPACE_RUN)}a`.repeat(250)}}}`],
  ])('stays fast on 64 KiB: %s', (_name, template) => {
    const started = performance.now();
    parseTemplate(template);
    expect(performance.now() - started).toBeLessThan(500);
  });

  it('does not fill mustache’s global template cache', () => {
    const cache = Mustache.templateCache;
    expect(cache).toBeDefined();
    const set = jest.spyOn(cache!, 'set');
    parseTemplate('{{uncached}}');
    expect(set).not.toHaveBeenCalled();
    set.mockRestore();
  });

  it('ignores changes to the global Mustache.tags', () => {
    const saved = Mustache.tags;
    Mustache.tags = ['<%', '%>'];
    try {
      expect(parseTemplate('{{x}}')).toEqual({ ok: true, tokens: [['name', 'x', 0, 5]] });
    } finally {
      Mustache.tags = saved;
    }
  });

  it('agrees with mustache on random templates (same tokens, or both refuse)', () => {
    const templateArb = fc.string({
      unit: fc.constantFrom('{{', '}}', '{', '}', '#', '^', '/', '>', '&', '!', '=', ' ', '\n', 'a', 'b', '.'),
      maxLength: 24,
    });
    fc.assert(
      fc.property(templateArb, (template) => {
        const ours = parseTemplate(template);
        const theirs = mustacheParse(template);
        const theirsUnclosedTag = theirs instanceof Error && theirs.message.startsWith('Unclosed tag');
        if (ours.ok) {
          expect(theirs).toEqual(ours.tokens);
        } else if (ours.failure.kind === 'set-delimiter') {
          expect(template.slice(ours.failure.offset)).toMatch(/^\{\{\s*=/);
        } else if (ours.failure.reason.startsWith('Unclosed tag')) {
          // Found by the pre-scan, which may see it before mustache would report an earlier section error.
          expect(theirs).toBeInstanceOf(Error);
        } else {
          expect(theirs).toEqual(new Error(`${ours.failure.reason} at ${ours.failure.offset}`));
        }
        if (theirsUnclosedTag && !(!ours.ok && ours.failure.kind === 'set-delimiter')) {
          expect(ours).toMatchObject({ ok: false, failure: { reason: expect.stringMatching(/^Unclosed tag/) } });
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe(positionLookup.name, () => {
  it.each<[string, number, number, number]>([
    ['abc', 0, 1, 1],
    ['abc', 2, 1, 3],
    ['abc', 3, 1, 4],
    ['a\nbc', 1, 1, 2],
    ['a\nbc', 2, 2, 1],
    ['a\nbc', 3, 2, 2],
    ['a\r\nb', 3, 2, 1],
    ['\n\n\nx', 3, 4, 1],
    ['\u{1F600}x', 2, 1, 3],
    ['', 0, 1, 1],
  ])('in %p, offset %d is line %d, column %d', (template, offset, line, column) => {
    expect(positionLookup(template)(offset)).toEqual({ line, column });
  });

  it('agrees with a naive count', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom('a', '\n', '\r', 'é'), maxLength: 40 }).chain((t) =>
          fc.tuple(fc.constant(t), fc.nat({ max: t.length })),
        ),
        ([template, offset]) => {
          const before = template.slice(0, offset).split('\n');
          expect(positionLookup(template)(offset)).toEqual({
            line: before.length,
            column: before[before.length - 1].length + 1,
          });
        },
      ),
    );
  });
});
