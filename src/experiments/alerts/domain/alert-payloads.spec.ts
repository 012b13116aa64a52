import { genericBody, parseWebhookTargets, slackBody } from './alert-payloads';
import type { Breach } from './alert-rules';

const breach: Breach = {
  slug: 'triage',
  version: 2,
  metric: 'p95-latency-up',
  baselineValue: 800,
  value: 1100,
  threshold: 0.25,
  evidence: { relativeChange: 0.375 },
  runbookUrl: 'docs/runbooks.md#p95-latency-up',
};

describe(parseWebhookTargets.name, () => {
  it('reads a comma-separated list; hooks.slack.com and slack: prefixed URLs get the Slack body', () => {
    expect(parseWebhookTargets(' https://a.example/hook , https://hooks.slack.com/services/T/B/x,slack:http://127.0.0.1:9/s ')).toEqual([
      { url: 'https://a.example/hook', slack: false },
      { url: 'https://hooks.slack.com/services/T/B/x', slack: true },
      { url: 'http://127.0.0.1:9/s', slack: true },
    ]);
    expect(parseWebhookTargets(undefined)).toEqual([]);
  });

  it('refuses an entry that is not an http(s) URL, without echoing it', () => {
    expect(() => parseWebhookTargets('ftp://secret@x')).toThrow('http(s)');
    expect(() => parseWebhookTargets('not a url')).toThrow(/not a URL/);
  });
});

describe('alert bodies', () => {
  it('generic: the breach with id, kind and summary', () => {
    expect(genericBody(breach, 'k', '2025-06-01T00:00:00.000Z')).toMatchObject({ kind: 'promptflag.alert', id: 'k', ...breach, summary: expect.stringContaining('p95 latency 1100 ms') });
  });

  it('slack: text plus blocks naming slug, version, metric, values and the runbook', () => {
    const body = slackBody(breach);
    expect(body.text).toContain('"triage" v2');
    const serialized = JSON.stringify(body.blocks);
    for (const part of ['triage', '*Version*\\n2', 'p95-latency-up', '1100', 'baseline 800', 'docs/runbooks.md#p95-latency-up']) expect(serialized).toContain(part);
  });
});
