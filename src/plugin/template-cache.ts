import { declarationsOfValue, type PromptFlagValue } from '../flags/domain/prompt-flag';
import { compileTemplate, type CompiledTemplate } from '../registry/domain/render';

export type CompilablePrompt = Pick<PromptFlagValue, 'template' | 'contentHash' | 'requiredVariables' | 'optionalVariables'>;

/**
 * Compiled templates by content hash (a version's body never changes, so the hash is a perfect key), with the
 * service's own single-pass compiler. Bounded: the least recently used entry goes first.
 */
export class TemplateCache {
  private readonly compiled = new Map<string, CompiledTemplate>();

  constructor(private readonly maxEntries = 500) {}

  get(prompt: CompilablePrompt): CompiledTemplate {
    const cached = this.compiled.get(prompt.contentHash);
    if (cached) {
      this.compiled.delete(prompt.contentHash);
      this.compiled.set(prompt.contentHash, cached);
      return cached;
    }
    const compiled = compileTemplate(prompt.template, declarationsOfValue(prompt));
    if (this.compiled.size >= this.maxEntries) this.compiled.delete(this.compiled.keys().next().value as string);
    this.compiled.set(prompt.contentHash, compiled);
    return compiled;
  }

  get size(): number {
    return this.compiled.size;
  }
}
