import { performance } from 'node:perf_hooks';

/** Wall-clock ms with sub-ms resolution, comparable across processes on one machine. */
export function wallNow(): number {
  return performance.timeOrigin + performance.now();
}
