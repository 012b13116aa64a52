import Mustache from 'mustache';

/** `[type, value, start, end, …]` as mustache parses it; sections carry their children at index 4. */
export type TemplateTokens = Mustache.TemplateSpans;
export type TemplateToken = TemplateTokens[number];

/** Prompts always use the default delimiters; the global `Mustache.tags` is never consulted. */
const TAGS: Mustache.OpeningAndClosingTags = ['{{', '}}'];

/**
 * Longest run of whitespace allowed inside a tag. mustache finds a tag's end with `/\s*}}/`, which backtracks
 * over every whitespace run it passes: a 64 KiB tag of spaces ending in a single `}` blocks the event loop for
 * seconds. Bounding runs keeps the worst 64 KiB template at about 20 ms; real tags never come close.
 */
export const MAX_TAG_WHITESPACE_RUN = 256;

export type ParseOutcome =
  | { ok: true; tokens: TemplateTokens }
  | { ok: false; failure: ParseFailure };

export interface ParseFailure {
  /** `syntax`: the template does not parse. `set-delimiter`: a `{{=…=}}` tag, which we refuse before parsing. */
  kind: 'syntax' | 'set-delimiter';
  /** Why, without position. */
  reason: string;
  /** UTF-16 offset of the offending tag or of where parsing stopped, when known. */
  offset?: number;
  /** End offset of the offending tag, when known. */
  end?: number;
}

// mustache caches every template it parses in an unbounded map on the default writer; a private writer without
// a cache keeps user-submitted templates from accumulating in memory.
const parser = new Mustache.Writer();
Object.assign(parser, { templateCache: undefined });

/** Parses with mustache after a linear pre-scan that refuses what would make mustache slow or ambiguous. */
export function parseTemplate(template: string): ParseOutcome {
  const refused = prescan(template);
  if (refused) return { ok: false, failure: refused };
  try {
    return { ok: true, tokens: parser.parse(template, TAGS) as TemplateTokens };
  } catch (error) {
    return { ok: false, failure: fromMustacheError(error) };
  }
}

/**
 * Walks the tags the way mustache's scanner does with default delimiters: a tag opens at the next `{{`, its type
 * is the first non-space character, and it closes at the next `}}` (`}}}` for `{{{`).
 */
function prescan(template: string): ParseFailure | undefined {
  let pos = 0;
  for (;;) {
    const open = template.indexOf('{{', pos);
    if (open < 0) return undefined;
    let i = skipWhitespace(template, open + 2);
    const type = template[i];
    if (type === '=') {
      const close = template.indexOf('}}', i);
      return {
        kind: 'set-delimiter',
        reason: 'set-delimiter tag',
        offset: open,
        end: close < 0 ? template.length : close + 2,
      };
    }
    if (type !== undefined && '#^/>{&!'.includes(type)) i += 1;
    const closing = type === '{' ? '}}}' : '}}';
    const close = template.indexOf(closing, i);
    if (close < 0) {
      return { kind: 'syntax', reason: `Unclosed tag "${excerpt(template, open, template.length)}"`, offset: open };
    }
    const run = longestWhitespaceRun(template, i, close);
    if (run > MAX_TAG_WHITESPACE_RUN) {
      return {
        kind: 'syntax',
        reason:
          `Tag has ${run} consecutive whitespace characters; ` +
          `at most ${MAX_TAG_WHITESPACE_RUN} are allowed inside a tag`,
        offset: open,
        end: close + closing.length,
      };
    }
    pos = close + closing.length;
  }
}

/** mustache reports `… at <offset>`; keep the reason and the offset apart. */
function fromMustacheError(error: unknown): ParseFailure {
  const message = error instanceof Error ? error.message : String(error);
  const match = / at (\d+)$/.exec(message);
  return match
    ? { kind: 'syntax', reason: message.slice(0, match.index), offset: Number(match[1]) }
    : { kind: 'syntax', reason: message };
}

function skipWhitespace(text: string, from: number): number {
  let i = from;
  while (i < text.length && isWhitespace(text[i])) i += 1;
  return i;
}

function longestWhitespaceRun(text: string, from: number, to: number): number {
  let longest = 0;
  let current = 0;
  for (let i = from; i < to; i += 1) {
    current = isWhitespace(text[i]) ? current + 1 : 0;
    if (current > longest) longest = current;
  }
  return longest;
}

/** The same set as mustache's `\s`. */
const WHITESPACE = /\s/;
function isWhitespace(ch: string): boolean {
  return WHITESPACE.test(ch);
}

/** The source of a tag for messages, shortened to keep reports small. */
export function excerpt(template: string, start: number, end: number, max = 40): string {
  return end - start <= max ? template.slice(start, end) : `${template.slice(start, start + max)}…`;
}

/** A name or value for messages, shortened to keep reports small. */
export function shorten(text: string, max = 40): string {
  return excerpt(text, 0, text.length, max);
}

export interface SourcePosition {
  /** 1-based. Lines end at `\n` (so `\r\n` counts once). */
  line: number;
  /** 1-based, in UTF-16 code units (as JavaScript strings, LSP and Monaco count). */
  column: number;
}

/** Returns a lookup from offset to line/column; builds the line index once per template. */
export function positionLookup(template: string): (offset: number) => SourcePosition {
  const lineStarts = [0];
  for (let i = template.indexOf('\n'); i >= 0; i = template.indexOf('\n', i + 1)) lineStarts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
}
