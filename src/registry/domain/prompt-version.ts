export const PROMPT_STATUSES = ['draft', 'staging', 'prod', 'deprecated'] as const;
export type PromptStatus = (typeof PROMPT_STATUSES)[number];

/** One declared `{{variable}}` of a template. */
export interface VariableDeclaration {
  name: string;
  required?: boolean;
  description?: string;
}

/** The part of a version that its content hash covers. */
export interface PromptContent {
  template: string;
  variables: VariableDeclaration[];
  modelHint: string;
}

/** What an author submits; everything else is set by the server. */
export interface PromptDraft extends PromptContent {
  rationale: string;
  evalHash?: string;
}

/** An immutable, numbered prompt version. Only `status` ever changes, and it is stored apart from the body. */
export interface PromptVersion extends PromptDraft {
  slug: string;
  version: number;
  contentHash: string;
  author: string;
  createdAt: string;
  status: PromptStatus;
}

export interface PromptSummary {
  slug: string;
  latestVersion: number;
  prodVersion: number | null;
}
