/**
 * NOT the service's code as shipped: the compiled src/flags/prompt-resolver.service.js loaded a second time with
 * exactly one textual change, so that it tracks whatever else resolve does today (metrics, exposures…):
 *
 *   { ...request.context, targetingKey: request.targetingKey }
 *     → Object.assign({}, request.context, { targetingKey: request.targetingKey })
 *
 * Why: on V8 11.3 (Node 20) an object spread followed by an extra property gets a brand-new hidden class on every
 * call (the clone's map is not reused through the transition tree), which costs ~2 µs, makes every later property
 * access on the context megamorphic, and leaves a Map per call for the old generation to collect. Object.assign
 * starts from the empty-object map and follows cached transitions.
 *
 * Returns null when the expression is no longer in resolve (fix applied, or code changed): the row is skipped.
 */
import { readFileSync } from 'node:fs';
import Module from 'node:module';
import { dirname } from 'node:path';
import type { PromptResolver } from '../../src/flags/prompt-resolver.service';

const SPREAD = /\{\s*\.\.\.request\.context,\s*targetingKey:\s*request\.targetingKey\s*\}/;
const REPLACEMENT = 'Object.assign({}, request.context, { targetingKey: request.targetingKey })';

interface CompilableModule extends Module {
  _compile(source: string, filename: string): void;
  paths: string[];
}

export function whatIfResolver(real: PromptResolver): PromptResolver | null {
  const file = require.resolve('../../src/flags/prompt-resolver.service');
  const source = readFileSync(file, 'utf8');
  if (!SPREAD.test(source)) return null;
  const copy = new Module(file, module) as CompilableModule;
  copy.filename = file; // relative requires resolve to the same, already loaded modules
  copy.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(dirname(file));
  copy._compile(source.replace(SPREAD, REPLACEMENT), file);
  const Patched = (copy.exports as { PromptResolver: typeof PromptResolver }).PromptResolver;
  // Same fields as the app's instance (state, metrics observer, exposure recorder…), without re-running DI.
  return Object.assign(Object.create(Patched.prototype) as PromptResolver, real);
}
