/** Roles in increasing power; each includes the ones before it, except that `responder` does not include `experimenter`. */
export const ROLES = ['reader', 'author', 'experimenter', 'responder', 'admin'] as const;
export type Role = (typeof ROLES)[number];

const GRANTS: Record<Role, readonly Role[]> = {
  reader: ['reader'],
  author: ['reader', 'author'],
  experimenter: ['reader', 'author', 'experimenter'],
  responder: ['reader', 'responder'],
  admin: ROLES,
};

/** Whether a key with `held` may call a route that needs `needed`. */
export function roleAllows(held: Role, needed: Role): boolean {
  return GRANTS[held].includes(needed);
}
