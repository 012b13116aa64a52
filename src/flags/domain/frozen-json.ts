/** Longest JSON text of a subtree that {@link FrozenJsonInterner} shares; longer ones are copied. */
const MAX_INTERNED_JSON = 512;

/**
 * Deep copies of JSON values, frozen, with small identical subtrees shared. Strings are immutable, so copies share
 * them instead of duplicating them (a JSON round trip would copy every template). Small subtrees such as a
 * version's variable declarations repeat across thousands of versions; one frozen instance of each serves them all.
 * Shared instances are held weakly, so a subtree nobody uses any more is collected.
 */
export class FrozenJsonInterner {
  private readonly shared = new Map<string, WeakRef<object>>();
  private readonly forget = new FinalizationRegistry<string>((json) => {
    if (this.shared.get(json)?.deref() === undefined) this.shared.delete(json);
  });

  /** A frozen deep copy of `value` (JSON data: plain objects, arrays and primitives). */
  copy<T>(value: T): T {
    return this.copyValue(value).value as T;
  }

  private copyValue(value: unknown): { value: unknown; json: string | undefined } {
    if (typeof value === 'string' && value.length >= MAX_INTERNED_JSON) return { value, json: undefined };
    if (typeof value !== 'object' || value === null) return { value, json: JSON.stringify(value) };
    const entries: [string, unknown][] = [];
    let small = true;
    let json = '';
    const isArray = Array.isArray(value);
    for (const [key, item] of Object.entries(value)) {
      const copied = this.copyValue(item);
      entries.push([key, copied.value]);
      if (small && copied.json !== undefined && json.length + copied.json.length < MAX_INTERNED_JSON) {
        json += `${json === '' ? '' : ','}${isArray ? '' : `${JSON.stringify(key)}:`}${copied.json}`;
      } else small = false;
    }
    const text = small ? (isArray ? `[${json}]` : `{${json}}`) : undefined;
    const existing = text === undefined ? undefined : this.shared.get(text)?.deref();
    if (existing !== undefined) return { value: existing, json: text };
    const copy = Object.freeze(isArray ? entries.map(([, item]) => item) : Object.fromEntries(entries));
    if (text !== undefined) {
      this.shared.set(text, new WeakRef(copy));
      this.forget.register(copy, text);
    }
    return { value: copy, json: text };
  }
}
