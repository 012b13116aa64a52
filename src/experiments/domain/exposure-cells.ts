import type { ExposureRecord } from './experiment-records';

/** The exposures of one aggregation cell (a slug's version in one hour) within a batch. */
export interface ExposureCell {
  slug: string;
  version: number;
  hour: number;
  count: number;
  /** Targeting-key hashes, in batch order, repeats kept (the stores' user sets ignore them). */
  userHashes: string[];
}

/** Groups a batch by cell (first-seen order), so a store adds to each exposure counter once, not once per exposure. */
export function groupExposuresByCell(batch: readonly ExposureRecord[]): ExposureCell[] {
  const cells = new Map<string, ExposureCell>();
  for (const e of batch) {
    const key = `${e.slug}\u0000${e.version}\u0000${e.hour}`;
    let cell = cells.get(key);
    if (!cell) cells.set(key, (cell = { slug: e.slug, version: e.version, hour: e.hour, count: 0, userHashes: [] }));
    cell.count += 1;
    cell.userHashes.push(e.targetingKeyHash);
  }
  return [...cells.values()];
}
