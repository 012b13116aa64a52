import type { PromptDraft, VariableDeclaration } from '../../src/registry/domain/prompt-version';

/** The six variables every bench template declares (four required, two optional). */
export const BENCH_VARIABLES: readonly VariableDeclaration[] = Object.freeze([
  { name: 'company', required: true, description: 'Customer-facing company name' },
  { name: 'product', required: true },
  { name: 'customer_name', required: true },
  { name: 'ticket', required: true, description: 'The customer message, verbatim' },
  { name: 'tier', required: false },
  { name: 'locale', required: false },
]);

/**
 * A realistic support-triage system prompt of about 1.2 KB (UTF-8) using each of the six variables, some twice.
 * `tag` makes versions (and slugs) differ in content, as real versions do.
 */
export function benchTemplate(tag: string): string {
  return [
    `You are the tier-1 support triage assistant for {{company}} (prompt ${tag}).`,
    'Your job is to read one incoming customer ticket about {{product}} and produce a structured triage note for the',
    'human support team. Never answer the customer directly and never promise refunds, credits or timelines.',
    '',
    'Customer: {{customer_name}} (plan tier: {{tier}}, preferred locale: {{locale}}).',
    '',
    'Follow these steps in order:',
    '1. Summarise the problem in at most two sentences, in neutral language, without quoting personal data.',
    '2. Classify it as exactly one of: billing, outage, bug, how-to, account-access, feature-request, other.',
    '3. Rate urgency from P1 (service down for many users) to P4 (question, no impact) and justify it briefly.',
    '4. List every product area of {{product}} the ticket touches, most relevant first.',
    '5. If the customer is angry or mentions cancelling, set churn_risk to true and explain why in one line.',
    '6. Suggest the single best next action for the human agent, phrased as an imperative.',
    '',
    'Answer with a JSON object with the keys summary, category, urgency, areas, churn_risk and next_action, and',
    'nothing else: no markdown fences, no commentary. Write the summary in the language of locale {{locale}}.',
    '',
    'Ticket from {{customer_name}} at {{company}}:',
    '"""',
    '{{ticket}}',
    '"""',
  ].join('\n');
}

export function benchDraft(tag: string): PromptDraft {
  return {
    template: benchTemplate(tag),
    variables: BENCH_VARIABLES.map((v) => ({ ...v })),
    modelHint: 'gpt-4o-2024-08-06',
    rationale: `bench version ${tag}`,
  };
}

const COMPANIES = ['Acme Corp', 'Globex', 'Initech', 'Umbrella', 'Stark Industries', 'Wayne Enterprises', 'Hooli', 'Soylent'];
const TICKETS = [
  'My invoice for March charges me twice for the same seat. Please fix this before the next billing run.',
  'Since this morning the dashboard shows a blank page after login, for everyone in our team. We are blocked.',
  'How do I export all my projects to CSV? I looked in the settings but could not find it anywhere.',
  'I lost access to my 2FA device and cannot log in any more. I need access today for a customer demo.',
];

/** Values for all six variables; `i` varies them so rendered prompts differ between requests. */
export function renderValues(i: number): Record<string, string> {
  return {
    company: COMPANIES[i % COMPANIES.length],
    product: 'Acme Cloud Console',
    customer_name: `Customer ${i}`,
    ticket: TICKETS[i % TICKETS.length],
    tier: i % 3 === 0 ? 'enterprise' : 'pro',
    locale: i % 2 === 0 ? 'en-US' : 'de-DE',
  };
}

/** Tenants used in request contexts; the rollout's one rule pins `acme`. */
export function tenantOf(i: number): string {
  return i % 8 === 0 ? 'acme' : `tenant-${i % 97}`;
}

/** A resolve request body as a client sends it: distinct targeting key, context for the rule, and variables. */
export function resolveBody(i: number): { targetingKey: string; context: Record<string, string>; variables: Record<string, string> } {
  return { targetingKey: `user-${i}`, context: { tenant: tenantOf(i), plan: i % 3 === 0 ? 'enterprise' : 'pro' }, variables: renderValues(i) };
}
