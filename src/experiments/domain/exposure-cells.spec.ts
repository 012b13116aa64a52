import { groupExposuresByCell } from './exposure-cells';

const exposure = (slug: string, version: number, hour: number, targetingKeyHash: string) => ({ slug, version, variant: `v${version}`, revision: 1, hour, targetingKeyHash });

describe('groupExposuresByCell', () => {
  it('counts each (slug, version, hour) once, in first-seen order, keeping every user hash', () => {
    const cells = groupExposuresByCell([
      exposure('a', 1, 10, 'u1'),
      exposure('a', 2, 10, 'u2'),
      exposure('a', 1, 10, 'u1'),
      exposure('b', 1, 10, 'u3'),
      exposure('a', 1, 11, 'u1'),
    ]);
    expect(cells).toEqual([
      { slug: 'a', version: 1, hour: 10, count: 2, userHashes: ['u1', 'u1'] },
      { slug: 'a', version: 2, hour: 10, count: 1, userHashes: ['u2'] },
      { slug: 'b', version: 1, hour: 10, count: 1, userHashes: ['u3'] },
      { slug: 'a', version: 1, hour: 11, count: 1, userHashes: ['u1'] },
    ]);
  });

  it('does not confuse slugs whose names run into the version', () => {
    expect(groupExposuresByCell([exposure('a1', 1, 1, 'x'), exposure('a', 11, 1, 'y')])).toHaveLength(2);
  });
});
