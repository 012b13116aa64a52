import type { Role } from './roles';

/** Who is calling: the API key's name is the actor recorded in audit entries and as a version's author. */
export interface Principal {
  keyId: string;
  name: string;
  role: Role;
}
