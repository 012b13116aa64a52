/**
 * A prompt slug: 2–63 characters of lowercase ASCII letters, digits and hyphens, not starting with a hyphen.
 * Short enough to be a Redis key segment, a flag key and a DNS-style label.
 */
export const SLUG_PATTERN = /^[a-z0-9][a-z0-9-]{1,62}$/;

export function isValidSlug(value: unknown): value is string {
  return typeof value === 'string' && SLUG_PATTERN.test(value);
}
