import { type OutcomeRecord, visitOutcomeIncrements } from './experiment-records';

/** One aggregation cell of a slug: the counters of one version in one hour. */
export interface OutcomeCell {
  version: number;
  hour: number;
}

/** One counter a batch may add to: a field of one cell. `float` counters need float addition. */
export interface CounterSlot {
  cell: number;
  field: string;
  float: boolean;
}

/** One event of a slug batch: its id, its cell and its increments as flat (slot, value) pairs. */
export interface PlannedOutcome {
  /** Position of the event in the batch given to planOutcomeBatch. */
  index: number;
  id: string;
  cell: number;
  increments: number[];
  outputHash?: string;
}

/**
 * The events of one slug in a batch, with the cells and counters they touch numbered once, so a store can check every
 * id and add the increments of the new ones in a single atomic step for the whole slug (one Redis hash slot).
 */
export interface SlugBatch {
  slug: string;
  cells: OutcomeCell[];
  slots: CounterSlot[];
  /** In batch order; an id may appear more than once (only its first occurrence can be new). */
  events: PlannedOutcome[];
}

/**
 * Splits a batch by slug (first-seen order), at most `maxEvents` events per part, and numbers the cells and counters
 * each part's events add to.
 */
export function planOutcomeBatch(batch: readonly OutcomeRecord[], maxEvents = Infinity): SlugBatch[] {
  const open = new Map<string, SlugBatchPlanner>();
  const planned: SlugBatch[] = [];
  batch.forEach((record, index) => {
    let planner = open.get(record.slug);
    if (!planner || planner.batch.events.length >= maxEvents) {
      open.set(record.slug, (planner = new SlugBatchPlanner(record.slug)));
      planned.push(planner.batch);
    }
    planner.add(record, index);
  });
  return planned;
}

/** Whether every event of the part has a different id (then, if none was seen before, all of them are new). */
export function hasDistinctIds(batch: SlugBatch): boolean {
  return new Set(batch.events.map((event) => event.id)).size === batch.events.length;
}

/** What the accepted events of a slug batch add up to, per counter slot and per cell. */
export interface AcceptedTotals {
  /** Sum per slot, for the slots at least one accepted event touched. */
  counters: Map<number, number>;
  /** Output hashes of the accepted events, per cell (duplicates kept; the stores keep distinct members). */
  outputs: Map<number, string[]>;
}

/** Sums the increments of the events `accepted` says yes to (by position in `batch.events`). */
export function sumAccepted(batch: SlugBatch, accepted: (position: number) => boolean): AcceptedTotals {
  const totals: AcceptedTotals = { counters: new Map(), outputs: new Map() };
  batch.events.forEach((event, position) => {
    if (!accepted(position)) return;
    const pairs = event.increments;
    for (let i = 0; i < pairs.length; i += 2) totals.counters.set(pairs[i], (totals.counters.get(pairs[i]) ?? 0) + pairs[i + 1]);
    if (event.outputHash !== undefined) {
      const list = totals.outputs.get(event.cell);
      if (list) list.push(event.outputHash);
      else totals.outputs.set(event.cell, [event.outputHash]);
    }
  });
  return totals;
}

class SlugBatchPlanner {
  readonly batch: SlugBatch;
  private readonly cellIndex = new Map<string, number>();
  /** Per cell: field → slot. */
  private readonly slotIndex: Map<string, number>[] = [];

  constructor(slug: string) {
    this.batch = { slug, cells: [], slots: [], events: [] };
  }

  add(record: OutcomeRecord, index: number): void {
    const cell = this.cellOf(record.version, record.hour);
    const increments: number[] = [];
    visitOutcomeIncrements(record, (field, value, float) => increments.push(this.slotOf(cell, field, float), value));
    const event: PlannedOutcome = { index, id: record.id, cell, increments };
    if (record.outputHash !== undefined) event.outputHash = record.outputHash;
    this.batch.events.push(event);
  }

  private cellOf(version: number, hour: number): number {
    const key = `${version}:${hour}`;
    let cell = this.cellIndex.get(key);
    if (cell === undefined) {
      cell = this.batch.cells.push({ version, hour }) - 1;
      this.cellIndex.set(key, cell);
      this.slotIndex.push(new Map());
    }
    return cell;
  }

  private slotOf(cell: number, field: string, float: boolean): number {
    const slots = this.slotIndex[cell];
    let slot = slots.get(field);
    if (slot === undefined) {
      slot = this.batch.slots.push({ cell, field, float }) - 1;
      slots.set(field, slot);
    }
    return slot;
  }
}
