import type { VariableDeclaration } from './prompt-version';
import {
  InvalidTemplateError,
  InvalidVariableValueError,
  MissingVariableError,
  UndeclaredVariableError,
} from './registry.errors';
import { slotFiller, type SlotFiller } from './slot-filler';
import { analyseTemplate, type LintCode } from './template-lint';

/** What a caller may pass as a variable's value. Numbers must be finite; both are rendered with `String()`. */
export type VariableValue = string | number | boolean;

/**
 * Values by variable name. Typed `unknown` because they usually come straight from a request body: `render`
 * checks each one. `null` and `undefined` count as "no value".
 */
export type RenderValues = Readonly<Record<string, unknown>>;

/** A template split once into static text and variable slots: `parts.length === slots.length + 1`. */
export interface CompiledTemplate {
  readonly parts: readonly string[];
  /** The variable each slot renders, in template order. */
  readonly slots: readonly string[];
  /** Whether each slot's variable is required (parallel to `slots`). */
  readonly slotRequired: readonly boolean[];
  /** Every declared variable, in declaration order. */
  readonly variables: readonly string[];
  readonly declared: ReadonlySet<string>;
  /** Required variables with no slot (a lint error, but a stored version must still render). Usually empty. */
  readonly requiredWithoutSlot: readonly string[];
  /** The fast path of `render`, shared by templates with the same declarations and slots. */
  readonly fill: SlotFiller;
}

/** What compiled templates with the same declarations (the same array) share. */
interface Declarations {
  readonly names: readonly string[];
  readonly declared: ReadonlySet<string>;
  readonly required: ReadonlySet<string>;
  /** Slot lists by their variable indexes joined with commas: versions of a prompt usually repeat theirs. */
  readonly layouts: Map<string, SlotLayout>;
}

type SlotLayout = Pick<CompiledTemplate, 'slots' | 'slotRequired' | 'fill'>;

const sharedDeclarations = new WeakMap<readonly VariableDeclaration[], Declarations>();
const NONE: readonly string[] = Object.freeze([]);

/**
 * The lint errors that leave rendering undefined. Other lint errors (too many variables, an unused required
 * variable) stop a version from being created but not an existing one from rendering, so tightening those rules
 * later cannot break versions already serving traffic.
 */
const BLOCKS_RENDERING: ReadonlySet<LintCode> = new Set<LintCode>([
  'TEMPLATE_PARSE_ERROR',
  'LOGIC_NOT_ALLOWED',
  'INVALID_PLACEHOLDER',
  'UNDECLARED_VARIABLE',
  'INVALID_VARIABLE_NAME',
  'DUPLICATE_VARIABLE',
]);

/**
 * Parses a template once for `render`. Comments are dropped, and (as in mustache) a line holding only a comment
 * and whitespace is removed with its line break.
 *
 * @throws InvalidTemplateError when the template does not parse, uses logic or an undeclared placeholder, or
 * declares a variable twice or with an invalid name.
 */
export function compileTemplate(template: string, variables: readonly VariableDeclaration[]): CompiledTemplate {
  const { report, tokens } = analyseTemplate(template, variables);
  const blocking = report.errors.filter((issue) => BLOCKS_RENDERING.has(issue.code));
  if (blocking.length > 0 || tokens === undefined) throw new InvalidTemplateError(blocking);

  const declarations = declarationsOf(variables);
  const parts: string[] = [];
  const slotVariables: number[] = [];
  let text = '';
  for (const [type, value, start, end] of tokens) {
    if (type === 'text') {
      text += textOf(template, value, start, end);
    } else if (type === 'name') {
      const index = declarations.names.indexOf(value);
      if (index < 0) throw new Error(`Undeclared "${value}" in a template that passed lint`);
      parts.push(text);
      slotVariables.push(index);
      text = '';
    } else if (type !== '!') {
      throw new Error(`Unexpected "${type}" token in a template that passed lint`);
    }
  }
  parts.push(text);

  const layout = slotLayout(declarations, slotVariables);
  const slotted = new Set(layout.slots);
  const requiredWithoutSlot = [...declarations.required].filter((name) => !slotted.has(name));
  return Object.freeze({
    parts: Object.freeze(parts),
    ...layout,
    variables: declarations.names,
    declared: declarations.declared,
    requiredWithoutSlot: requiredWithoutSlot.length === 0 ? NONE : Object.freeze(requiredWithoutSlot),
  });
}

function slotLayout(declarations: Declarations, slotVariables: number[]): SlotLayout {
  const key = slotVariables.join(',');
  const known = declarations.layouts.get(key);
  if (known !== undefined) return known;
  // Slot names are the declarations' own strings, not the parser's copies.
  const slots = slotVariables.map((index) => declarations.names[index]);
  const layout: SlotLayout = {
    slots: Object.freeze(slots),
    slotRequired: Object.freeze(slots.map((name) => declarations.required.has(name))),
    fill: slotFiller(declarations.names, declarations.required, slotVariables),
  };
  declarations.layouts.set(key, layout);
  return layout;
}

/** Shared by every template compiled with the same frozen declarations array (e.g. interned ones). */
function declarationsOf(variables: readonly VariableDeclaration[]): Declarations {
  const known = sharedDeclarations.get(variables);
  if (known !== undefined) return known;
  const names = Object.freeze(variables.map((v) => v.name));
  const declarations: Declarations = {
    names,
    declared: new Set(names),
    required: new Set(variables.filter((v) => v.required === true).map((v) => v.name)),
    layouts: new Map(),
  };
  if (Object.isFrozen(variables)) sharedDeclarations.set(variables, declarations);
  return declarations;
}

/**
 * Fills the slots in one pass. Values are inserted verbatim: no HTML escaping and no re-interpolation, so a value
 * containing `{{x}}` comes out as `{{x}}`. An optional variable without a value renders as the empty string.
 * Only own properties of `values` count, so names such as `constructor` or `__proto__` are safe.
 *
 * @throws UndeclaredVariableError when `values` names a variable the template does not declare (checked first).
 * @throws MissingVariableError when a required variable has no value.
 * @throws InvalidVariableValueError when a value is not a string, finite number or boolean.
 */
export function render(compiled: CompiledTemplate, values: RenderValues): string {
  for (const key in values) {
    if (!compiled.declared.has(key) && Object.hasOwn(values, key)) throw undeclaredError(compiled, values);
  }
  return compiled.fill(values, compiled.parts, Object.hasOwn) ?? renderChecked(compiled, values);
}

/** Slot by slot, converting numbers and booleans and reporting the first missing or invalid value. */
function renderChecked(compiled: CompiledTemplate, values: RenderValues): string {
  const { requiredWithoutSlot } = compiled;
  for (let i = 0; i < requiredWithoutSlot.length; i += 1) {
    if (valueOf(values, requiredWithoutSlot[i]) == null) throw missingError(compiled, values);
  }

  const { parts, slots, slotRequired } = compiled;
  let out = parts[0];
  for (let i = 0; i < slots.length; i += 1) {
    const value = valueOf(values, slots[i]);
    if (typeof value === 'string') out += value;
    else if (value == null) {
      if (slotRequired[i]) throw missingError(compiled, values);
    } else out += nonStringToText(slots[i], value);
    out += parts[i + 1];
  }
  return out;
}

function valueOf(values: RenderValues, name: string): unknown {
  return Object.hasOwn(values, name) ? values[name] : undefined;
}

function nonStringToText(name: string, value: unknown): string {
  if (typeof value === 'number') {
    if (Number.isFinite(value)) return String(value);
    throw new InvalidVariableValueError(name, String(value));
  }
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  throw new InvalidVariableValueError(name, Array.isArray(value) ? 'array' : typeof value);
}

function missingError(compiled: CompiledTemplate, values: RenderValues): MissingVariableError {
  const slottedRequired = compiled.slots.filter((_, i) => compiled.slotRequired[i]);
  const required = new Set([...compiled.requiredWithoutSlot, ...slottedRequired]);
  const missing = compiled.variables.filter((name) => required.has(name) && valueOf(values, name) == null);
  return new MissingVariableError(missing[0], missing);
}

function undeclaredError(compiled: CompiledTemplate, values: RenderValues): UndeclaredVariableError {
  const undeclared = Object.keys(values).filter((key) => !compiled.declared.has(key));
  return new UndeclaredVariableError(undeclared[0], compiled.variables, undeclared);
}

/**
 * The token's text as a slice of the template. mustache builds a text token one character at a time, so its value
 * is a V8 rope with a node per character (~30 bytes each); a slice shares the template's flat storage instead.
 * The value differs from the slice only where mustache dropped the whitespace of a standalone comment line.
 */
function textOf(template: string, value: string, start: number, end: number): string {
  const slice = template.slice(start, end);
  return slice === value ? slice : value;
}
