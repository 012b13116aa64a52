import { bulkEtag, etagMatches, parseOfrepRequest, toOfrepAnswer, toOfrepEntry, toOfrepErrorCode } from './ofrep-mapping';

const VALUE = { slug: 'triage', version: 2, template: 't', modelHint: 'm', contentHash: 'c'.repeat(64), requiredVariables: [], optionalVariables: [] };

describe(parseOfrepRequest.name, () => {
  it.each([
    ['a context with a targeting key', { context: { targetingKey: 'u', tier: 'pro' } }, { ok: true, context: { targetingKey: 'u', tier: 'pro' } }],
    ['a body that is not an object', ['context'], { ok: false, errorCode: 'PARSE_ERROR' }],
    ['no body', undefined, { ok: false, errorCode: 'PARSE_ERROR' }],
    ['no context', {}, { ok: false, errorCode: 'INVALID_CONTEXT' }],
    ['a context that is not an object', { context: 'u' }, { ok: false, errorCode: 'INVALID_CONTEXT' }],
    ['no targeting key', { context: { tier: 'pro' } }, { ok: false, errorCode: 'TARGETING_KEY_MISSING' }],
    ['an empty targeting key', { context: { targetingKey: '' } }, { ok: false, errorCode: 'TARGETING_KEY_MISSING' }],
    ['a numeric targeting key', { context: { targetingKey: 7 } }, { ok: false, errorCode: 'INVALID_CONTEXT' }],
    ['a targeting key over 256 characters', { context: { targetingKey: 'x'.repeat(257) } }, { ok: false, errorCode: 'INVALID_CONTEXT' }],
  ])('%s', (_name, body, expected) => {
    expect(parseOfrepRequest(body)).toMatchObject(expected);
  });
});

describe(toOfrepAnswer.name, () => {
  it('answers 200 with value, variant, reason and prompt metadata', () => {
    const answer = toOfrepAnswer('triage', { variant: 'v2', value: VALUE, reason: 'TARGETING_MATCH', flagMetadata: { flagSetId: 'promptflag', baseline: 1 }, revision: 4 });
    expect(answer).toEqual({
      status: 200,
      body: {
        key: 'triage',
        value: VALUE,
        variant: 'v2',
        reason: 'TARGETING_MATCH',
        metadata: { flagSetId: 'promptflag', baseline: 1, slug: 'triage', version: 2, contentHash: VALUE.contentHash, revision: 4 },
      },
    });
  });

  it('leaves value out for a code default (a disabled flag)', () => {
    expect(toOfrepAnswer('off', { reason: 'DISABLED', flagMetadata: {} })).toEqual({ status: 200, body: { key: 'off', reason: 'DISABLED', metadata: {} } });
  });

  it.each([
    ['FLAG_NOT_FOUND', 404, 'FLAG_NOT_FOUND'],
    ['PARSE_ERROR', 400, 'PARSE_ERROR'],
    ['TARGETING_KEY_MISSING', 400, 'TARGETING_KEY_MISSING'],
    ['INVALID_CONTEXT', 400, 'INVALID_CONTEXT'],
    ['GENERAL', 500, 'GENERAL'],
    ['TYPE_MISMATCH', 500, 'GENERAL'],
  ] as const)('maps %s to %i %s', (code, status, errorCode) => {
    const answer = toOfrepAnswer('triage', { errorCode: code, message: 'boom' });
    expect(answer.status).toBe(status);
    expect(answer.body).toMatchObject({ key: 'triage', errorCode, errorDetails: expect.stringContaining('boom') });
  });

  it('keeps per-flag failures as bulk entries', () => {
    expect(toOfrepEntry('x', { errorCode: 'GENERAL', message: '' })).toEqual({ key: 'x', errorCode: 'GENERAL', errorDetails: expect.any(String) });
    expect(toOfrepErrorCode('PROVIDER_NOT_READY')).toBe('GENERAL');
  });
});

describe(bulkEtag.name, () => {
  it('depends on the document, the context (not its key order) and staleness', () => {
    const etag = bulkEtag('doc-1', { targetingKey: 'u', a: 1, b: 2 }, false);
    expect(bulkEtag('doc-1', { b: 2, a: 1, targetingKey: 'u' }, false)).toBe(etag);
    expect(bulkEtag('doc-2', { targetingKey: 'u', a: 1, b: 2 }, false)).not.toBe(etag);
    expect(bulkEtag('doc-1', { targetingKey: 'v', a: 1, b: 2 }, false)).not.toBe(etag);
    expect(bulkEtag('doc-1', { targetingKey: 'u', a: 1, b: 2 }, true)).not.toBe(etag);
  });

  it('matches If-None-Match lists, weak tags and *', () => {
    expect(etagMatches('"a", W/"b"', '"b"')).toBe(true);
    expect(etagMatches('*', '"b"')).toBe(true);
    expect(etagMatches('"a"', '"b"')).toBe(false);
    expect(etagMatches(undefined, '"b"')).toBe(false);
  });
});
