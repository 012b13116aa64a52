import { HOUR_MS } from './experiment-records';
import { validateExposure, validateOutcomeEvent } from './event-validation';

const now = Date.UTC(2025, 5, 1, 12, 30);
const valid = { id: 'evt-1', slug: 'triage', version: 2, targetingKey: 'user-1' };
const fieldsOf = (result: ReturnType<typeof validateOutcomeEvent>) => (result.ok ? [] : result.errors.map((e) => e.field));

describe(validateOutcomeEvent.name, () => {
  it('accepts a minimal event and puts it in the current hour', () => {
    expect(validateOutcomeEvent(valid, now)).toEqual({ ok: true, value: { id: 'evt-1', slug: 'triage', version: 2, hour: Math.floor(now / HOUR_MS) } });
  });

  it('keeps every optional measurement and dates the event by ts', () => {
    const result = validateOutcomeEvent(
      { ...valid, targetingKey: undefined, requestId: 'req-9', ts: '2025-06-01T10:05:00Z', outcome: 'accepted', latencyMs: 12.5, promptTokens: 100, completionTokens: 20, finishReason: 'length', score: -0.5, outputHash: 'abc' },
      now,
    );
    expect(result).toEqual({
      ok: true,
      value: { id: 'evt-1', slug: 'triage', version: 2, hour: Math.floor(Date.UTC(2025, 5, 1, 10, 5) / HOUR_MS), outcome: 'accepted', latencyMs: 12.5, promptTokens: 100, completionTokens: 20, finishReason: 'length', score: -0.5, outputHash: 'abc' },
    });
  });

  it.each([
    [{ id: '' }, 'id'],
    [{ id: 'x'.repeat(129) }, 'id'],
    [{ slug: 'Bad Slug' }, 'slug'],
    [{ version: 0 }, 'version'],
    [{ version: 1.5 }, 'version'],
    [{ targetingKey: undefined }, 'targetingKey'],
    [{ targetingKey: 42 }, 'targetingKey'],
    [{ outcome: 'Accepted' }, 'outcome'],
    [{ outcome: 'a'.repeat(65) }, 'outcome'],
    [{ finishReason: 'stop!' }, 'finishReason'],
    [{ latencyMs: -1 }, 'latencyMs'],
    [{ latencyMs: Infinity }, 'latencyMs'],
    [{ promptTokens: 1.5 }, 'promptTokens'],
    [{ completionTokens: -3 }, 'completionTokens'],
    [{ promptTokens: 1_000_000_001 }, 'promptTokens'],
    [{ score: Number.NaN }, 'score'],
    [{ score: -1e16 }, 'score'],
    [{ outputHash: '' }, 'outputHash'],
    [{ ts: 'yesterday' }, 'ts'],
    [{ ts: now + 2 * HOUR_MS }, 'ts'],
    [{ ts: now - 31 * 24 * HOUR_MS }, 'ts'],
    [{ colour: 'blue' }, 'colour'],
  ])('refuses %j naming %s', (patch, field) => {
    expect(fieldsOf(validateOutcomeEvent({ ...valid, ...patch }, now))).toEqual([field]);
  });

  it('reports every problem at once', () => {
    expect(fieldsOf(validateOutcomeEvent({ id: 1, slug: 1 }, now))).toEqual(['id', 'slug', 'version', 'targetingKey']);
    expect(fieldsOf(validateOutcomeEvent('nope', now))).toEqual(['']);
  });
});

describe(validateExposure.name, () => {
  const exposure = { slug: 'triage', version: 1, variant: 'v1', revision: 3, targetingKeyHash: 'a'.repeat(64) };

  it('accepts the plugin shape, dated by `at`', () => {
    expect(validateExposure({ ...exposure, at: new Date(now - HOUR_MS).toISOString() }, now)).toEqual({
      ok: true,
      value: { slug: 'triage', version: 1, variant: 'v1', revision: 3, targetingKeyHash: 'a'.repeat(64), hour: Math.floor(now / HOUR_MS) - 1 },
    });
  });

  it('refuses a raw targeting key in place of its hash', () => {
    expect(validateExposure({ ...exposure, targetingKeyHash: 'user-1' }, now)).toMatchObject({ ok: false, errors: [{ field: 'targetingKeyHash' }] });
  });
});
