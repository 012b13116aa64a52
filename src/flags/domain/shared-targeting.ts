import type { FeatureFlag } from '@openfeature/flagd-core';
import type { FlagdTargeting } from './flag-document';

/** The field of flagd-core 4.0.1's FeatureFlag that holds its Targeting (private to TypeScript only). */
interface TargetingHolder {
  _targeting?: object;
}

/** One distinct targeting rule, as the flags using it hold it; hand it back to {@link SharedTargetingRules.release}. */
export interface SharedRule {
  /** The rule's JSON text. */
  readonly text: string;
  /** The frozen rule, as exported in the flagd document. */
  readonly rule: FlagdTargeting;
}

interface SharedRuleState extends SharedRule {
  /** flagd-core's Targeting compiled from the rule, once; undefined until a FeatureFlag provided one. */
  targeting: object | undefined;
  users: number;
}

/**
 * One copy of each distinct targeting rule, and one flagd-core Targeting for it, shared by every flag whose rule
 * has the same JSON text (every slug at the same ramp step has the same rule).
 *
 * flagd-core 4.0.1 gives each FeatureFlag a Targeting of its own, that is a json-logic-engine LogicEngine (its own
 * copy of every operator, about 4 KB) plus the compiled rule, although Targeting receives the flag key on every call
 * and holds nothing per flag. Sharing sets that field after construction, so evaluation still runs flagd-core's
 * own code with the flag's own key; a flag whose rule is already compiled is built without it, which also saves
 * compiling the rule again. Should a flagd-core upgrade rename the field, no Targeting is ever captured, so every
 * flag keeps compiling its own.
 */
export class SharedTargetingRules {
  private readonly byText = new Map<string, SharedRuleState>();

  /** Distinct rules in use. */
  get size(): number {
    return this.byText.size;
  }

  /**
   * Whether flags with the rule `text` can skip compiling it: a Targeting for it exists, and {@link acquire} will
   * give it to a FeatureFlag compiled without targeting.
   */
  isCompiled(text: string): boolean {
    return this.byText.get(text)?.targeting !== undefined;
  }

  /**
   * Registers one more flag using the rule `text` (its JSON text) and points `compiled` at the shared Targeting.
   * Every call must be paired with a {@link release} of the rule it returns.
   */
  acquire(text: string, compiled: FeatureFlag): SharedRule {
    let shared = this.byText.get(text);
    if (shared === undefined) {
      shared = { text, rule: deepFreeze(JSON.parse(text) as FlagdTargeting), targeting: undefined, users: 0 };
      this.byText.set(text, shared);
    }
    const holder = compiled as unknown as TargetingHolder;
    if (shared.targeting !== undefined) holder._targeting = shared.targeting;
    else if (typeof holder._targeting === 'object' && holder._targeting !== null) shared.targeting = holder._targeting;
    shared.users += 1;
    return shared;
  }

  release(rule: SharedRule): void {
    const shared = this.byText.get(rule.text);
    if (shared === undefined) return;
    shared.users -= 1;
    if (shared.users <= 0) this.byText.delete(rule.text);
  }
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}
