import { performance } from 'node:perf_hooks';

/** What the coalescer needs from the runtime; tests pass fake timers. */
export interface CoalescerClock {
  now(): number;
  /** Runs `run` after `delayMs` (0: as soon as the current I/O callbacks are done); returns a cancel function. */
  schedule(run: () => void, delayMs: number): () => void;
}

export const systemClock: CoalescerClock = {
  now: () => performance.now(),
  schedule: (run, delayMs) => {
    if (delayMs <= 0) {
      const immediate = setImmediate(run);
      return () => clearImmediate(immediate);
    }
    const timeout = setTimeout(run, delayMs);
    return () => clearTimeout(timeout);
  },
};

/**
 * Runs `flush` after changes, at most once per `windowMs`: the first change after a quiet window is flushed at once
 * (on the next turn of the event loop, so changes made in the same turn share it), and changes that arrive during the
 * window after a flush are coalesced into one flush at the window's end. A lone change is therefore never delayed,
 * and a burst (a full reload applying many slugs) costs one flush per window.
 */
export class ChangeCoalescer {
  private cancelPending?: () => void;
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private stopped = false;

  constructor(
    private readonly windowMs: number,
    private readonly flush: () => void,
    private readonly clock: CoalescerClock = systemClock,
  ) {}

  changed(): void {
    if (this.cancelPending || this.stopped) return;
    const delayMs = Math.max(0, this.lastFlushAt + this.windowMs - this.clock.now());
    this.cancelPending = this.clock.schedule(() => {
      this.cancelPending = undefined;
      this.lastFlushAt = this.clock.now();
      this.flush();
    }, delayMs);
  }

  stop(): void {
    this.stopped = true;
    this.cancelPending?.();
    this.cancelPending = undefined;
  }
}
