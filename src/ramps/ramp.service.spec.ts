import type { AppConfig } from '../config/app-config';
import type { Breach } from '../experiments/alerts/domain/alert-rules';
import type { GuardrailChecker } from '../experiments/alerts/guardrail-checker.service';
import { type GateService, GatesUnmetError } from '../gates/gate.service';
import type { MetricsService } from '../metrics/metrics.service';
import type { PromptRegistryService } from '../registry/prompt-registry.service';
import type { RolloutService } from '../rollout/rollout.service';
import { EmbeddedDatabase } from '../store/embedded/embedded-database';
import { EmbeddedRampStore } from '../store/embedded/embedded-ramp.store';
import type { PromptStore } from '../store/ports/prompt-store.port';
import { RampService } from './ramp.service';

const ACTOR = { keyId: 'k', name: 'alice', role: 'experimenter' as const };

function setup(breaches: Breach[] = []) {
  const db = EmbeddedDatabase.inMemory();
  const store = new EmbeddedRampStore(db);
  const audit: { actor: string; action: string; after?: Record<string, unknown> }[] = [];
  let kill: unknown = null;
  const prompts = {
    getState: jest.fn(async () => ({ latestVersion: 2, revision: 1, statuses: { 1: 'prod', 2: 'staging' }, rollout: null, kill })),
    appendAudit: jest.fn(async (_slug: string, draft: { actor: string; action: string }) => audit.push(draft)),
  } as unknown as PromptStore;
  const rollouts = { replaceAllocation: jest.fn(async () => ({})) };
  const registry = { changeStatus: jest.fn(async () => ({})) };
  const guardrails = { check: jest.fn(async () => breaches) };
  const metrics = { setRampStep: jest.fn() };
  const gates = { assertMayGoToProd: jest.fn(async () => undefined) };
  const service = new RampService(
    store,
    prompts,
    rollouts as unknown as RolloutService,
    registry as unknown as PromptRegistryService,
    guardrails as unknown as GuardrailChecker,
    metrics as unknown as MetricsService,
    gates as unknown as GateService,
    { RAMP_GUARDRAIL_CHECK_MS: 10_000 } as AppConfig,
  );
  return { service, store, audit, rollouts, registry, guardrails, metrics, gates, killIt: () => (kill = { toVersion: 1 }), close: () => db.close() };
}

const later = () => new Date(Date.now() + 10_000);

describe('RampService.tick', () => {
  it('pauses, naming the gate, when the next step is refused by the promotion gates', async () => {
    const f = setup();
    await f.service.start('s', { version: 2, steps: [5, 50, 100], holdSeconds: 1, reason: 'go' }, ACTOR);
    expect(f.gates.assertMayGoToProd).toHaveBeenCalledWith('s', 2, 'staging');
    f.rollouts.replaceAllocation.mockRejectedValueOnce(new GatesUnmetError('"s": version 2 cannot get 50% of traffic: unmet gate eval (the latest eval did not pass)'));
    await f.service.tick(later());
    const ramp = await f.service.current('s');
    expect(ramp).toMatchObject({ status: 'paused', percent: 5 });
    expect(ramp.stopReason).toMatch(/promotion gates.*unmet gate eval/);
    expect(f.audit.at(-1)).toMatchObject({ actor: 'ramp', action: 'ramp.paused' });
    f.close();
  });

  it('aborts to the baseline on a guardrail breach, audited as "guardrail" with the evidence', async () => {
    const breach = { slug: 's', version: 2, metric: 'outcome-rate-drop', baselineValue: 0.5, value: 0.3, threshold: 0.1, evidence: { pValue: 0.001 }, runbookUrl: 'x' } as Breach;
    const f = setup([breach]);
    await f.service.start('s', { version: 2, steps: [10, 100], holdSeconds: 1, guardrails: { outcomeDropRelative: 0.1 }, reason: 'go' }, ACTOR);
    await f.service.tick(later());
    const ramp = await f.service.current('s');
    expect(ramp).toMatchObject({ status: 'aborted', percent: null, evidence: [breach] });
    expect(ramp.stopReason).toMatch(/outcome-rate-drop/);
    expect(f.guardrails.check).toHaveBeenCalledWith('s', 2, expect.objectContaining({ outcomeDropRelative: 0.1 }), expect.any(Date));
    expect(f.rollouts.replaceAllocation).toHaveBeenLastCalledWith('s', [], expect.stringMatching(/aborted/), expect.objectContaining({ name: 'guardrail' }));
    expect(f.audit.at(-1)).toMatchObject({ actor: 'guardrail', action: 'ramp.aborted', after: { breaches: [breach] } });
    expect(f.metrics.setRampStep).toHaveBeenLastCalledWith('s', null);
    expect(f.registry.changeStatus).not.toHaveBeenCalled();
    f.close();
  });

  it('also checks the guardrails while it holds a step, and aborts on a breach before the step is due', async () => {
    const breach = { slug: 's', version: null, metric: 'srm', baselineValue: null, value: 0.0001, threshold: 0.001, evidence: {}, runbookUrl: 'x' } as Breach;
    const f = setup([breach]);
    await f.service.start('s', { version: 2, steps: [10, 100], holdSeconds: 3600, reason: 'go' }, ACTOR);
    await f.service.tick(new Date());
    expect(await f.service.current('s')).toMatchObject({ status: 'aborted', stopReason: 'guardrail breached: srm' });
    f.close();
  });

  it('advances only when due, and promotes at 100%', async () => {
    const f = setup();
    await f.service.start('s', { version: 2, steps: [10, 100], holdSeconds: 60, reason: 'go' }, ACTOR);
    await f.service.tick(new Date());
    expect((await f.service.current('s')).percent).toBe(10);
    await f.service.tick(new Date(Date.now() + 61_000));
    expect((await f.service.current('s')).status).toBe('completed');
    expect(f.registry.changeStatus).toHaveBeenCalledWith('s', 2, 'prod', expect.any(String), expect.objectContaining({ name: 'ramp' }));
    f.close();
  });

  it('does not advance a killed slug: it pauses the ramp', async () => {
    const f = setup();
    await f.service.start('s', { version: 2, steps: [10, 100], holdSeconds: 1, reason: 'go' }, ACTOR);
    f.killIt();
    await f.service.tick(later());
    expect(await f.service.current('s')).toMatchObject({ status: 'paused', percent: 10 });
    expect(f.guardrails.check).not.toHaveBeenCalled();
    f.close();
  });

  it('skips a ramp whose lease another replica holds', async () => {
    const f = setup();
    await f.service.start('s', { version: 2, steps: [10, 100], holdSeconds: 1, reason: 'go' }, ACTOR);
    expect(await f.store.acquireLease('s', 'other-replica', 60_000)).toBe(true);
    await f.service.tick(later());
    expect((await f.service.current('s')).percent).toBe(10);
    f.close();
  });
});
