import { stepAllocation, validateHold, validateSteps } from './ramp';

describe('ramp domain', () => {
  it('accepts increasing integer steps ending at 100', () => {
    expect(validateSteps([1, 5, 25, 50, 100])).toEqual([]);
    expect(validateSteps([100])).toEqual([]);
  });

  it('refuses empty, non-increasing, out-of-range steps and steps not ending at 100', () => {
    expect(validateSteps([])).toHaveLength(1);
    expect(validateSteps([5, 5, 100])[0].field).toBe('steps[1]');
    expect(validateSteps([0, 100])[0].field).toBe('steps[0]');
    expect(validateSteps([1.5, 100])[0].field).toBe('steps[0]');
    expect(validateSteps([1, 50])[0].message).toMatch(/100/);
    expect(validateSteps('1,100')).toHaveLength(1);
  });

  it('validates the hold', () => {
    expect(validateHold(1)).toEqual([]);
    expect(validateHold(0)).toHaveLength(1);
    expect(validateHold(2.5)).toHaveLength(1);
  });

  it('puts the candidate first, in basis points summing to 10,000', () => {
    expect(stepAllocation(3, 2, 5)).toEqual([
      { version: 3, weight: 500 },
      { version: 2, weight: 9500 },
    ]);
  });
});
