import type { Allocation, TargetingRule } from '../rollout/domain/rollout';
import { UsageError } from './output';

export type { Allocation, TargetingRule };

/** Pure parsers of command-line arguments; each throws a UsageError (exit 2) naming the bad input. */

export function parseVersion(text: string, what = 'version'): number {
  const trimmed = text.trim().replace(/^v/i, '');
  if (!/^\d{1,9}$/.test(trimmed) || Number(trimmed) < 1) throw new UsageError(`${what} must be a positive integer such as 3 or v3 (got "${text}")`);
  return Number(trimmed);
}

/** `2:5,1:95` → `[{version: 2, weight: 5}, {version: 1, weight: 95}]`, order kept. */
export function parseSplit(text: string): Allocation[] {
  const parts = text.split(',').map((p) => p.trim()).filter((p) => p !== '');
  if (parts.length === 0) throw new UsageError('--split needs at least one version:weight pair, e.g. 2:5,1:95');
  const seen = new Set<number>();
  return parts.map((part) => {
    const match = /^v?(\d{1,9}):(\d{1,9})$/i.exec(part);
    if (!match) throw new UsageError(`--split: "${part}" is not version:weight (e.g. 2:5)`);
    const version = Number(match[1]);
    const weight = Number(match[2]);
    if (version < 1) throw new UsageError(`--split: version must be at least 1 in "${part}"`);
    if (seen.has(version)) throw new UsageError(`--split: version ${version} appears twice`);
    seen.add(version);
    return { version, weight };
  });
}

/**
 * `tenant=acme:2` → `{match: {tenant: ["acme"]}, version: 2}`. Several attributes: `tenant=acme,locale=de-DE:2`
 * (all must match); several values: `tenant=acme|globex:2` (any of them).
 */
export function parseRule(text: string): TargetingRule {
  const colon = text.lastIndexOf(':');
  if (colon < 0) throw new UsageError(`--rule: "${text}" has no :version (e.g. tenant=acme:2)`);
  const version = parseVersion(text.slice(colon + 1), `--rule "${text}": version`);
  const match: Record<string, string[]> = {};
  for (const clause of text.slice(0, colon).split(',')) {
    const eq = clause.indexOf('=');
    const attribute = eq < 0 ? '' : clause.slice(0, eq).trim();
    const values = eq < 0 ? [] : clause.slice(eq + 1).split('|').map((v) => v.trim()).filter((v) => v !== '');
    if (!attribute || values.length === 0) throw new UsageError(`--rule: "${clause}" is not attribute=value (e.g. tenant=acme:2)`);
    if (attribute in match) throw new UsageError(`--rule: attribute "${attribute}" appears twice in "${text}"`);
    match[attribute] = values;
  }
  return { match, version };
}

/** `1,5,25,50,100` → percentages, strictly increasing, each in (0, 100]. */
export function parseSteps(text: string): number[] {
  const steps = text.split(',').map((s) => s.trim()).filter((s) => s !== '').map((s) => {
    const n = Number(s.replace(/%$/, ''));
    if (!Number.isFinite(n) || n <= 0 || n > 100) throw new UsageError(`--steps: "${s}" is not a percentage in (0, 100]`);
    return n;
  });
  if (steps.length === 0) throw new UsageError('--steps needs at least one percentage, e.g. 1,5,25,50,100');
  steps.forEach((step, i) => {
    if (i > 0 && step <= steps[i - 1]) throw new UsageError(`--steps must increase (${steps[i - 1]} then ${step})`);
  });
  return steps;
}

export function parsePositiveInt(text: string, what: string): number {
  if (!/^\d{1,9}$/.test(text.trim()) || Number(text) < 1) throw new UsageError(`${what} must be a positive integer (got "${text}")`);
  return Number(text);
}

export function requireReason(reason: string | undefined, what: string): string {
  if (reason === undefined || reason.trim() === '') throw new UsageError(`${what} needs --reason "…" (it goes into the audit trail)`);
  return reason;
}

export function parseNumber(text: string, what: string): number {
  const value = Number(text.trim());
  if (text.trim() === '' || !Number.isFinite(value)) throw new UsageError(`${what} must be a number (got "${text}")`);
  return value;
}
