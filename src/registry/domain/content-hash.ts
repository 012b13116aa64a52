import { canonicalJson, sha256Hex } from '../../common/domain/canonical-hash';
import type { PromptContent, VariableDeclaration } from './prompt-version';

/** A variable as the hash sees it: only the three known fields, `required` always present. */
interface NormalisedVariable {
  name: string;
  required: boolean;
  description?: string;
}

/**
 * The identity of a version's content: SHA-256 (lowercase hex) of the RFC 8785 canonical JSON of
 * `{ template, variables, modelHint }`. Variables are normalised (`required` defaults to false, unknown fields are
 * dropped) and sorted by name, so neither declaration order nor key order changes the hash. No timestamps, author
 * or rationale: two submissions of the same content hash the same.
 *
 * Changing anything here re-hashes every stored version; the pinned hash in the spec guards against that.
 */
export function contentHash(content: PromptContent): string {
  return sha256Hex(
    canonicalJson({
      template: content.template,
      variables: normaliseVariables(content.variables),
      modelHint: content.modelHint,
    }),
  );
}

function normaliseVariables(variables: readonly VariableDeclaration[]): NormalisedVariable[] {
  return variables
    .map((v) => {
      const normalised: NormalisedVariable = { name: v.name, required: v.required === true };
      if (v.description !== undefined) normalised.description = v.description;
      return { normalised, key: canonicalJson(normalised) };
    })
    .sort((a, b) => compareCodeUnits(a.normalised.name, b.normalised.name) || compareCodeUnits(a.key, b.key))
    .map((entry) => entry.normalised);
}

/** Locale-independent ordering: `localeCompare` would make the hash depend on the host's ICU data. */
function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
