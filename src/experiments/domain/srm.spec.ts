import { chiSquarePValue, sampleRatioMismatch } from './srm';

describe('chiSquarePValue', () => {
  // Critical values from any χ² table (e.g. NIST/SEMATECH e-Handbook of Statistical Methods, §1.3.6.7.4).
  it.each([
    [3.841, 1, 0.05],
    [5.991, 2, 0.05],
    [6.635, 1, 0.01],
    [10.828, 1, 0.001],
    [16.266, 3, 0.001],
    [2.706, 1, 0.1],
  ])('χ² table: P(X ≥ %f | df %i) = %f', (x, df, p) => {
    expect(chiSquarePValue(x, df)).toBeCloseTo(p, 4);
  });
});

describe('sampleRatioMismatch', () => {
  // Kohavi, Tang & Xu, Trustworthy Online Controlled Experiments (2020), ch. 21: 821,588 vs 815,482 users on a
  // designed 50/50 split has p-value 1.8E-6: a sample-ratio mismatch.
  it('Kohavi et al. (2020) ch. 21: 821,588 vs 815,482 at 50/50 → p ≈ 1.8e-6, flagged', () => {
    const srm = sampleRatioMismatch([
      { version: 1, observed: 821_588, share: 0.5 },
      { version: 2, observed: 815_482, share: 0.5 },
    ]);
    expect(srm.pValue).toBeCloseTo(1.8e-6, 7);
    expect(srm.mismatch).toBe(true);
  });

  // Mendel's dihybrid cross, the textbook χ² goodness-of-fit example: 315/108/101/32 against 9:3:3:1 gives
  // X² = 0.470 on 3 df, p ≈ 0.925.
  it('Mendel 9:3:3:1 textbook example → X² = 0.470, p ≈ 0.925, not flagged', () => {
    const srm = sampleRatioMismatch([
      { version: 1, observed: 315, share: 9 },
      { version: 2, observed: 108, share: 3 },
      { version: 3, observed: 101, share: 3 },
      { version: 4, observed: 32, share: 1 },
    ]);
    expect(srm.chiSquare).toBeCloseTo(0.47, 2);
    expect(srm.degreesOfFreedom).toBe(3);
    expect(srm.pValue).toBeCloseTo(0.925, 3);
    expect(srm.mismatch).toBe(false);
  });

  it('cannot test fewer than two arms, no traffic, or tiny expected counts', () => {
    expect(sampleRatioMismatch([{ version: 1, observed: 10, share: 1 }])).toMatchObject({ pValue: null, mismatch: false });
    expect(sampleRatioMismatch([{ version: 1, observed: 0, share: 1 }, { version: 2, observed: 0, share: 1 }])).toMatchObject({ pValue: null });
    expect(sampleRatioMismatch([{ version: 1, observed: 3, share: 1 }, { version: 2, observed: 4, share: 1 }]).reason).toMatch(/below 5/);
  });
});
