import type { OutcomeRecord } from './experiment-records';
import { hasDistinctIds, planOutcomeBatch, sumAccepted } from './outcome-batch';

const record = (patch: Partial<OutcomeRecord> & Pick<OutcomeRecord, 'id' | 'slug'>): OutcomeRecord => ({ version: 1, hour: 100, ...patch });

describe(planOutcomeBatch.name, () => {
  it('splits by slug in first-seen order, keeping each event\'s batch position', () => {
    const plan = planOutcomeBatch([record({ id: 'a', slug: 'left' }), record({ id: 'b', slug: 'right' }), record({ id: 'c', slug: 'left' })]);
    expect(plan.map((b) => [b.slug, b.events.map((e) => [e.index, e.id])])).toEqual([
      ['left', [[0, 'a'], [2, 'c']]],
      ['right', [[1, 'b']]],
    ]);
  });

  it('starts a new part of a slug after maxEvents events, with its own cells and counters', () => {
    const plan = planOutcomeBatch(
      [record({ id: 'a', slug: 'left' }), record({ id: 'b', slug: 'right', version: 2 }), record({ id: 'c', slug: 'left', version: 3 }), record({ id: 'd', slug: 'left', version: 3 })],
      2,
    );
    expect(plan.map((b) => [b.slug, b.events.map((e) => e.index), b.cells.map((c) => c.version)])).toEqual([
      ['left', [0, 2], [1, 3]],
      ['right', [1], [2]],
      ['left', [3], [3]],
    ]);
    expect(plan[2].slots).toEqual([{ cell: 0, field: 'calls', float: false }]);
  });

  it('tells whether a part repeats an id', () => {
    expect(planOutcomeBatch([record({ id: 'a', slug: 's' }), record({ id: 'b', slug: 's' })]).map(hasDistinctIds)).toEqual([true]);
    expect(planOutcomeBatch([record({ id: 'a', slug: 's' }), record({ id: 'a', slug: 's', version: 2 })]).map(hasDistinctIds)).toEqual([false]);
  });

  it('numbers each (version, hour) cell and each counter of a cell once', () => {
    const [plan] = planOutcomeBatch([
      record({ id: 'a', slug: 's', outcome: 'accepted' }),
      record({ id: 'b', slug: 's', outcome: 'accepted', version: 2 }),
      record({ id: 'c', slug: 's', outcome: 'rejected', score: 0.5 }),
    ]);
    expect(plan.cells).toEqual([{ version: 1, hour: 100 }, { version: 2, hour: 100 }]);
    expect(plan.slots).toEqual([
      { cell: 0, field: 'calls', float: false },
      { cell: 0, field: 'lab', float: false },
      { cell: 0, field: 'o:accepted', float: false },
      { cell: 1, field: 'calls', float: false },
      { cell: 1, field: 'lab', float: false },
      { cell: 1, field: 'o:accepted', float: false },
      { cell: 0, field: 'o:rejected', float: false },
      { cell: 0, field: 'scN', float: false },
      { cell: 0, field: 'scSum', float: true },
      { cell: 0, field: 'scSq', float: true },
    ]);
    expect(plan.events[2]).toEqual({ index: 2, id: 'c', cell: 0, increments: [0, 1, 1, 1, 6, 1, 7, 1, 8, 0.5, 9, 0.25] });
  });
});

describe(sumAccepted.name, () => {
  it('adds up only the accepted events, per counter, with their output hashes per cell', () => {
    const [plan] = planOutcomeBatch([
      record({ id: 'a', slug: 's', promptTokens: 10, outputHash: 'x' }),
      record({ id: 'b', slug: 's', promptTokens: 20, outputHash: 'y' }),
      record({ id: 'c', slug: 's', promptTokens: 40, hour: 101, outputHash: 'x' }),
    ]);
    const totals = sumAccepted(plan, (position) => position !== 1);
    const byField = Object.fromEntries([...totals.counters].map(([slot, value]) => [`${plan.slots[slot].cell}/${plan.slots[slot].field}`, value]));
    expect(byField).toEqual({ '0/calls': 1, '0/tokN': 1, '0/pt': 10, '0/outN': 1, '1/calls': 1, '1/tokN': 1, '1/pt': 40, '1/outN': 1 });
    expect(totals.outputs).toEqual(new Map([[0, ['x']], [1, ['x']]]));
  });

  it('touches nothing when every event is a duplicate', () => {
    const [plan] = planOutcomeBatch([record({ id: 'a', slug: 's', outcome: 'accepted' })]);
    expect(sumAccepted(plan, () => false)).toEqual({ counters: new Map(), outputs: new Map() });
  });
});
