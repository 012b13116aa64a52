import type { Breach } from './alert-rules';

/** One webhook target; `slack` selects the Slack-compatible body. */
export interface WebhookTarget {
  url: string;
  slack: boolean;
}

/**
 * Parses ALERT_WEBHOOK_URLS: comma-separated; `slack:<url>` or any URL on hooks.slack.com is a Slack target.
 * @throws TypeError for an entry that is not an http(s) URL.
 */
export function parseWebhookTargets(raw: string | undefined): WebhookTarget[] {
  if (!raw) return [];
  return raw
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry.length > 0)
    .map((entry) => {
      const prefixed = entry.toLowerCase().startsWith('slack:');
      const url = prefixed ? entry.slice('slack:'.length) : entry;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        throw new TypeError('ALERT_WEBHOOK_URLS has an entry that is not a URL');
      }
      if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new TypeError('ALERT_WEBHOOK_URLS entries must be http(s) URLs');
      return { url, slack: prefixed || parsed.hostname === 'hooks.slack.com' };
    });
}

/** The generic JSON body: the breach as is, with an id, a kind and a one-line summary. */
export function genericBody(breach: Breach, alertKey: string, at: string): Record<string, unknown> {
  return { kind: 'promptflag.alert', id: alertKey, at, summary: summarize(breach), ...breach };
}

/** Slack incoming-webhook body: `text` (fallback and notification) and Block Kit `blocks`. */
export function slackBody(breach: Breach): { text: string; blocks: Record<string, unknown>[] } {
  const text = summarize(breach);
  const fields = [
    `*Slug*\n${breach.slug}`,
    `*Version*\n${breach.version ?? 'all (split)'}`,
    `*Metric*\n${breach.metric}`,
    `*Value*\n${format(breach.value)}${breach.baselineValue === null ? '' : ` (baseline ${format(breach.baselineValue)})`}`,
    `*Threshold*\n${format(breach.threshold)}`,
  ];
  return {
    text,
    blocks: [
      { type: 'section', text: { type: 'mrkdwn', text: `:rotating_light: ${text}` } },
      { type: 'section', fields: fields.map((f) => ({ type: 'mrkdwn', text: f })) },
      { type: 'context', elements: [{ type: 'mrkdwn', text: `Runbook: ${breach.runbookUrl}` }] },
    ],
  };
}

export function summarize(b: Breach): string {
  const where = b.version === null ? `"${b.slug}"` : `"${b.slug}" v${b.version}`;
  switch (b.metric) {
    case 'outcome-rate-drop':
      return `${where}: "${String(b.evidence.outcome)}" rate ${pct(b.value)} vs baseline ${pct(b.baselineValue ?? 0)} (${pct(Number(b.evidence.relativeChange))} relative, p=${format(Number(b.evidence.pValue))})`;
    case 'p95-latency-up':
      return `${where}: p95 latency ${format(b.value)} ms vs baseline ${format(b.baselineValue ?? 0)} ms (+${pct(Number(b.evidence.relativeChange))})`;
    case 'tokens-per-call-up':
      return `${where}: tokens per call ${format(b.value)} vs baseline ${format(b.baselineValue ?? 0)} (+${pct(Number(b.evidence.relativeChange))})`;
    case 'length-share':
      return `${where}: ${pct(b.value)} of calls stopped at finish_reason=length (threshold ${pct(b.threshold)})`;
    case 'srm':
      return `${where}: sample ratio mismatch (p=${format(b.value)}): exposures do not match the configured split`;
  }
}

function pct(x: number): string {
  return `${(x * 100).toFixed(1)}%`;
}

function format(x: number): string {
  return Number.isInteger(x) ? String(x) : x.toPrecision(4);
}
