import { differenceOfProportions, pooledZTest, wilsonInterval, zCritical } from './proportion-stats';

/** Rounds to the 4 decimals the published tables print. */
const r4 = (values: number[]) => values.map((v) => Math.round(v * 1e4) / 1e4);

describe('wilsonInterval', () => {
  // Newcombe RG (1998). Two-sided confidence intervals for the single proportion: comparison of seven methods.
  // Statistics in Medicine 17:857–872, Table II, method 3 (score method without continuity correction).
  it.each([
    [81, 263, 0.2553, 0.3662],
    [15, 148, 0.0624, 0.1605],
    [0, 20, 0, 0.1611],
    [1, 29, 0.0061, 0.1718],
    [29, 29, 0.883, 1],
  ])('Newcombe 1998 Table II: %i/%i → [%f, %f]', (x, n, lo, hi) => {
    expect(r4(wilsonInterval(x, n))).toEqual([lo, hi]);
  });

  it('is [0, 1] with no observations', () => {
    expect(wilsonInterval(0, 0)).toEqual([0, 1]);
  });

  it('refuses impossible counts', () => {
    expect(() => wilsonInterval(5, 3)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 3)).toThrow(RangeError);
  });

  it('uses z = 1.959964 for 95 % (standard normal table)', () => {
    expect(zCritical(0.95)).toBeCloseTo(1.959964, 6);
  });
});

describe('differenceOfProportions (Newcombe hybrid score interval)', () => {
  // Newcombe RG (1998). Interval estimation for the difference between independent proportions: comparison of
  // eleven methods. Statistics in Medicine 17:873–890, Table II, method 10 (score interval for each proportion).
  it.each([
    [56, 70, 48, 80, 0.0524, 0.3339],
    [9, 10, 3, 10, 0.1705, 0.809],
    [5, 56, 0, 29, -0.0381, 0.1926],
    [0, 10, 0, 20, -0.1611, 0.2775],
    [0, 10, 0, 10, -0.2775, 0.2775],
    [10, 10, 0, 20, 0.6791, 1],
    [10, 10, 0, 10, 0.6075, 1],
  ])('Newcombe 1998 Table II: %i/%i − %i/%i → [%f, %f]', (x1, n1, x2, n2, lo, hi) => {
    const d = differenceOfProportions(x1, n1, x2, n2);
    expect(d.value).toBeCloseTo(x1 / n1 - x2 / n2, 12);
    expect(r4(d.ci)).toEqual([lo, hi]);
  });

  it('gives no interval without data in an arm', () => {
    expect(differenceOfProportions(0, 0, 3, 10)).toMatchObject({ ci: [-1, 1], pValue: 1 });
  });
});

describe('pooledZTest', () => {
  // OpenIntro Statistics, 4th ed. (Diez, Çetinkaya-Rundel, Barr), §6.2.3, mammogram trial:
  // 500/44,925 vs 505/44,910 deaths → Z ≈ −0.17, p-value ≈ 0.87.
  it('OpenIntro §6.2.3 mammogram example: z ≈ −0.17, p ≈ 0.87', () => {
    const { z, pValue } = pooledZTest(500, 44_925, 505, 44_910);
    expect(z).toBeCloseTo(-0.16, 1);
    expect(pValue).toBeCloseTo(0.87, 2);
  });

  // Agresti, An Introduction to Categorical Data Analysis (2nd ed.), §2.2 / §2.4: Physicians' Health Study,
  // MI in 189/11,034 (placebo) vs 104/11,037 (aspirin); Pearson X² = 25.01 (df 1), so z = √X² ≈ 5.00.
  it('Agresti Physicians\' Health Study: z² equals Pearson X² = 25.01', () => {
    const { z, pValue } = pooledZTest(189, 11_034, 104, 11_037);
    expect(z * z).toBeCloseTo(25.01, 1);
    expect(pValue).toBeLessThan(1e-6);
  });

  // Standard normal table: P(|Z| ≥ 1.96) = 0.05. 60/100 vs 40/100: pooled 0.5, se = √(0.25·0.02) → z = 2.828 (p = 0.00468).
  it('normal table: 60/100 vs 40/100 gives z = 2.828, p = 0.0047', () => {
    const { z, pValue } = pooledZTest(60, 100, 40, 100);
    expect(z).toBeCloseTo(2.8284, 4);
    expect(pValue).toBeCloseTo(0.00468, 5);
  });

  it('is p = 1 when both arms are all successes', () => {
    expect(pooledZTest(10, 10, 20, 20)).toEqual({ z: 0, pValue: 1 });
  });
});
