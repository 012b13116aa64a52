import fc from 'fast-check';
import { ConflictError, DomainError, NotFoundError } from '../../common/domain/domain-error';
import { PROMPT_STATUSES, type PromptStatus } from './prompt-version';
import { TransitionRefusedError, VersionNotFoundError } from './registry.errors';
import { allowedTransitions, planStatusChange, prodVersionOf, type StatusChange } from './status-transitions';

const statusArb = fc.constantFrom(...PROMPT_STATUSES);

/** The value `fn` throws, so its details can be asserted (toThrow sees only class and message). */
function thrownBy(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe(allowedTransitions.name, () => {
  it.each<[PromptStatus, PromptStatus[]]>([
    ['draft', ['staging']],
    ['staging', ['prod']],
    ['prod', ['deprecated']],
    ['deprecated', ['prod']],
  ])('from %s allows %p', (from, expected) => {
    expect(allowedTransitions(from)).toEqual(expected);
  });

  it('never allows draft as a target, nor a move to the same status', () => {
    for (const from of PROMPT_STATUSES) {
      expect(allowedTransitions(from)).not.toContain('draft');
      expect(allowedTransitions(from)).not.toContain(from);
    }
  });

  it('returns a fresh array that callers may mutate safely', () => {
    allowedTransitions('draft').push('prod');
    expect(allowedTransitions('draft')).toEqual(['staging']);
  });
});

describe(planStatusChange.name, () => {
  it.each<[string, Record<number, PromptStatus>, number, PromptStatus, StatusChange[]]>([
    ['draft → staging', { 1: 'draft' }, 1, 'staging', [{ version: 1, from: 'draft', to: 'staging' }]],
    ['first promotion to prod', { 1: 'staging' }, 1, 'prod', [{ version: 1, from: 'staging', to: 'prod' }]],
    [
      'promotion deprecates the current prod first',
      { 1: 'prod', 2: 'staging' },
      2,
      'prod',
      [
        { version: 1, from: 'prod', to: 'deprecated' },
        { version: 2, from: 'staging', to: 'prod' },
      ],
    ],
    [
      'rollback: deprecated → prod deprecates the current prod',
      { 1: 'deprecated', 2: 'prod', 3: 'draft' },
      1,
      'prod',
      [
        { version: 2, from: 'prod', to: 'deprecated' },
        { version: 1, from: 'deprecated', to: 'prod' },
      ],
    ],
    ['prod → deprecated leaves no prod', { 1: 'prod', 2: 'staging' }, 1, 'deprecated', [{ version: 1, from: 'prod', to: 'deprecated' }]],
    [
      'repairs two prods (numeric order)',
      { 10: 'prod', 9: 'prod', 11: 'staging' },
      11,
      'prod',
      [
        { version: 9, from: 'prod', to: 'deprecated' },
        { version: 10, from: 'prod', to: 'deprecated' },
        { version: 11, from: 'staging', to: 'prod' },
      ],
    ],
  ])('%s', (_name, statuses, version, to, expected) => {
    expect(planStatusChange(statuses, version, to)).toEqual(expected);
  });

  it.each<[PromptStatus, PromptStatus, string]>([
    ['draft', 'prod', 'staging'],
    ['draft', 'deprecated', 'staging'],
    ['draft', 'draft', 'staging'],
    ['staging', 'draft', 'prod'],
    ['staging', 'staging', 'prod'],
    ['staging', 'deprecated', 'prod'],
    ['prod', 'prod', 'deprecated'],
    ['prod', 'draft', 'deprecated'],
    ['prod', 'staging', 'deprecated'],
    ['deprecated', 'draft', 'prod'],
    ['deprecated', 'staging', 'prod'],
    ['deprecated', 'deprecated', 'prod'],
  ])('refuses %s → %s and names the allowed move (%s)', (from, to, allowed) => {
    const attempt = () => planStatusChange({ 4: from }, 4, to);
    expect(attempt).toThrow(TransitionRefusedError);
    expect(attempt).toThrow(`Cannot move version 4 from ${from} to ${to}; allowed from ${from}: ${allowed}`);
    const error = thrownBy(attempt);
    expect(error).toBeInstanceOf(ConflictError);
    expect(error).toMatchObject({ code: 'CONFLICT', details: { from, to, allowed: [allowed], version: 4 } });
  });

  it.each([[2], [0], [-1], [1.5], [Number.NaN]])('refuses the unknown version %p', (version) => {
    const attempt = () => planStatusChange({ 1: 'draft' }, version, 'staging');
    expect(attempt).toThrow(VersionNotFoundError);
    expect(attempt).toThrow(NotFoundError);
  });

  it('does not treat inherited properties as versions', () => {
    const statuses = Object.create({ 1: 'draft' }) as Record<number, PromptStatus>;
    expect(() => planStatusChange(statuses, 1, 'staging')).toThrow(VersionNotFoundError);
  });

  it('does not mutate the statuses it is given', () => {
    const statuses: Record<number, PromptStatus> = { 1: 'prod', 2: 'staging' };
    planStatusChange(statuses, 2, 'prod');
    expect(statuses).toEqual({ 1: 'prod', 2: 'staging' });
  });

  it('keeps "at most one prod" after every step of any plan, and each change starts from the current status', () => {
    fc.assert(
      fc.property(
        fc.array(statusArb, { minLength: 1, maxLength: 8 }),
        fc.nat(),
        statusArb,
        (list, pick, to) => {
          // Start from a valid state: at most one prod.
          let seenProd = false;
          const statuses: Record<number, PromptStatus> = {};
          list.forEach((s, i) => {
            statuses[i + 1] = s === 'prod' && seenProd ? 'deprecated' : s;
            seenProd ||= s === 'prod';
          });
          const version = (pick % list.length) + 1;
          const from = statuses[version];
          if (!allowedTransitions(from).includes(to)) {
            expect(() => planStatusChange(statuses, version, to)).toThrow(TransitionRefusedError);
            return;
          }
          const plan = planStatusChange(statuses, version, to);
          expect(plan[plan.length - 1]).toEqual({ version, from, to });
          const state = { ...statuses };
          for (const change of plan) {
            expect(state[change.version]).toBe(change.from);
            expect(allowedTransitions(change.from)).toContain(change.to);
            state[change.version] = change.to;
            expect(Object.values(state).filter((s) => s === 'prod').length).toBeLessThanOrEqual(1);
          }
          if (to === 'prod') expect(Object.values(state).filter((s) => s === 'prod')).toHaveLength(1);
        },
      ),
    );
  });
});

describe('registry errors', () => {
  it.each<[string, DomainError, string, Record<string, unknown>]>([
    [
      TransitionRefusedError.name,
      new TransitionRefusedError('prod', 'draft', []),
      'Cannot move a version from prod to draft; allowed from prod: none',
      { from: 'prod', to: 'draft', allowed: [] },
    ],
    [VersionNotFoundError.name, new VersionNotFoundError(7), 'No version 7', { version: 7 }],
    [
      `${VersionNotFoundError.name} with slug`,
      new VersionNotFoundError(7, 'greeting'),
      'Prompt "greeting" has no version 7',
      { version: 7, slug: 'greeting' },
    ],
  ])('%s carries its message and details', (_name, error, message, details) => {
    expect(error.message).toBe(message);
    expect(error.details).toEqual(details);
    expect(error.name).toBe(error.constructor.name);
  });
});

describe(prodVersionOf.name, () => {
  it('finds the prod version', () => {
    expect(prodVersionOf({ 1: 'deprecated', 2: 'prod', 3: 'staging' })).toBe(2);
  });
  it('is null while nothing is in prod', () => {
    expect(prodVersionOf({ 1: 'draft', 2: 'staging' })).toBeNull();
  });
  it('takes the newest when stored data somehow holds two', () => {
    expect(prodVersionOf({ 1: 'prod', 4: 'prod', 2: 'deprecated' })).toBe(4);
  });
});
