import { DEFAULT_GATE_POLICY, validateGatePolicy } from './gate-policy';
import { checkGates, type EvalResult, type GateEvidence, unmetGates, versionsBeyondCanary } from './promotion-gates';

const passing: EvalResult = { suiteHash: 'suite-a', score: 0.9, passed: true, recordedAt: '2026-01-01T00:00:00Z', recordedBy: 'ci', auditId: 's:3' };

function evidence(overrides: Partial<GateEvidence> = {}): GateEvidence {
  return { author: 'alice', lintErrors: [], evals: [passing], approvals: [], ...overrides };
}

const gate = (name: string, checks: ReturnType<typeof checkGates>) => checks.find((c) => c.gate === name);

describe('checkGates', () => {
  it('clears a lint-clean version with a passing eval on a slug that is not high-stakes', () => {
    const checks = checkGates(evidence(), DEFAULT_GATE_POLICY);
    expect(unmetGates(checks)).toEqual([]);
    expect(gate('approval', checks)).toMatchObject({ required: false, met: true });
  });

  it('needs an eval result, and the newest one counts', () => {
    expect(unmetGates(checkGates(evidence({ evals: [] }), DEFAULT_GATE_POLICY)).map((c) => [c.gate, c.detail])).toEqual([['eval', expect.stringMatching(/no eval result/)]]);
    const failedLast = evidence({ evals: [passing, { ...passing, passed: false, score: 0.4 }] });
    expect(gate('eval', checkGates(failedLast, DEFAULT_GATE_POLICY))).toMatchObject({ met: false, detail: expect.stringMatching(/score 0.4\) did not pass/) });
    const passedLast = evidence({ evals: [{ ...passing, passed: false }, passing] });
    expect(gate('eval', checkGates(passedLast, DEFAULT_GATE_POLICY))?.met).toBe(true);
  });

  it("lets the slug's threshold decide on top of the run's verdict (a score equal to it passes)", () => {
    const policy = { ...DEFAULT_GATE_POLICY, evalThreshold: 0.95 };
    expect(gate('eval', checkGates(evidence(), policy))).toMatchObject({ met: false, detail: expect.stringMatching(/scored 0.9, below the slug's threshold 0.95/) });
    expect(gate('eval', checkGates(evidence({ evals: [{ ...passing, score: 0.95 }] }), policy))?.met).toBe(true);
  });

  it('refuses an eval of another suite than the one the version declares', () => {
    const checks = checkGates(evidence({ declaredSuiteHash: 'suite-b' }), DEFAULT_GATE_POLICY);
    expect(gate('eval', checks)).toMatchObject({ met: false, detail: expect.stringMatching(/ran suite suite-a.*declares suite suite-b/) });
    expect(gate('eval', checkGates(evidence({ declaredSuiteHash: 'suite-a' }), DEFAULT_GATE_POLICY))?.met).toBe(true);
  });

  it("on a high-stakes slug needs an approval by someone other than the author", () => {
    const policy = { ...DEFAULT_GATE_POLICY, highStakes: true };
    const approval = (approver: string) => ({ approver, comment: 'ok', at: '2026-01-01T00:00:00Z', auditId: 's:4' });
    expect(gate('approval', checkGates(evidence(), policy))).toMatchObject({ required: true, met: false, detail: expect.stringMatching(/other than the author \(alice\)/) });
    expect(gate('approval', checkGates(evidence({ approvals: [approval('alice')] }), policy))?.met).toBe(false);
    expect(gate('approval', checkGates(evidence({ approvals: [approval('alice'), approval('bob')] }), policy))).toMatchObject({ met: true, detail: 'approved by bob' });
  });

  it('reports lint errors as an unmet lint gate', () => {
    const checks = checkGates(evidence({ lintErrors: ['undeclared variable "x" at 1:5'] }), DEFAULT_GATE_POLICY);
    expect(unmetGates(checks).map((c) => c.gate)).toEqual(['lint']);
  });
});

describe('versionsBeyondCanary', () => {
  const statuses = { 1: 'prod', 2: 'staging', 3: 'staging' } as const;

  it('lists staging versions above the canary share, never the prod baseline', () => {
    const spec = { allocation: [{ version: 1, weight: 90 }, { version: 2, weight: 5 }, { version: 3, weight: 5 }], rules: [] };
    expect(versionsBeyondCanary(spec, statuses, 5)).toEqual(new Map());
    expect([...versionsBeyondCanary(spec, statuses, 4.99).keys()]).toEqual([2, 3]);
    const half = { allocation: [{ version: 1, weight: 1 }, { version: 2, weight: 1 }], rules: [] };
    expect(versionsBeyondCanary(half, statuses, 5)).toEqual(new Map([[2, '50% of traffic (canary limit 5%)']]));
  });

  it('works on relative weights (1 in 3 is 33.33%)', () => {
    const spec = { allocation: [{ version: 1, weight: 2 }, { version: 2, weight: 1 }], rules: [] };
    expect(versionsBeyondCanary(spec, statuses, 5).get(2)).toBe('33.33% of traffic (canary limit 5%)');
  });

  it('counts a version pinned by a rule as beyond the canary share', () => {
    const spec = { allocation: [], rules: [{ name: 'acme', match: { tenant: ['acme'] }, version: 3 }, { match: { tenant: ['x'] }, version: 1 }] };
    expect(versionsBeyondCanary(spec, statuses, 5)).toEqual(new Map([[3, 'pinned by rule acme']]));
  });
});

describe('validateGatePolicy', () => {
  it('names the field that is out of range', () => {
    expect(validateGatePolicy(DEFAULT_GATE_POLICY)).toEqual([]);
    expect(validateGatePolicy({ ...DEFAULT_GATE_POLICY, canaryPercent: 101 })).toEqual([{ field: 'canaryPercent', message: 'must be between 0 and 100' }]);
    expect(validateGatePolicy({ ...DEFAULT_GATE_POLICY, evalThreshold: Number.NaN })).toEqual([{ field: 'evalThreshold', message: 'must be a finite number or null' }]);
  });
});
