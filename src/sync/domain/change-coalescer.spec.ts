import { ChangeCoalescer, type CoalescerClock } from './change-coalescer';

/** A clock whose scheduled callbacks run only when the test advances time. */
class FakeClock implements CoalescerClock {
  private time = 1000;
  private pending: { at: number; run: () => void }[] = [];

  now(): number {
    return this.time;
  }

  schedule(run: () => void, delayMs: number): () => void {
    const entry = { at: this.time + delayMs, run };
    this.pending.push(entry);
    return () => {
      this.pending = this.pending.filter((p) => p !== entry);
    };
  }

  /** The delays (from now) of the callbacks still waiting. */
  get waiting(): number[] {
    return this.pending.map((p) => p.at - this.time);
  }

  advance(ms: number): void {
    this.time += ms;
    const due = this.pending.filter((p) => p.at <= this.time);
    this.pending = this.pending.filter((p) => p.at > this.time);
    for (const p of due) p.run();
  }
}

describe(ChangeCoalescer.name, () => {
  let clock: FakeClock;
  let flushes: number[];
  let coalescer: ChangeCoalescer;

  beforeEach(() => {
    clock = new FakeClock();
    flushes = [];
    coalescer = new ChangeCoalescer(25, () => flushes.push(clock.now()), clock);
  });

  it('flushes a change after a quiet window at once (no delay)', () => {
    coalescer.changed();
    expect(clock.waiting).toEqual([0]);
    clock.advance(0);
    expect(flushes).toEqual([1000]);
  });

  it('shares one flush between changes made before it runs', () => {
    coalescer.changed();
    coalescer.changed();
    coalescer.changed();
    clock.advance(0);
    expect(flushes).toHaveLength(1);
  });

  it('coalesces changes during the window after a flush into one flush at its end', () => {
    coalescer.changed();
    clock.advance(0);
    clock.advance(5);
    coalescer.changed();
    clock.advance(5);
    coalescer.changed();
    expect(clock.waiting).toEqual([15]);
    clock.advance(15);
    expect(flushes).toEqual([1000, 1025]);
  });

  it('flushes at once again once a whole window has passed', () => {
    coalescer.changed();
    clock.advance(0);
    clock.advance(40);
    coalescer.changed();
    expect(clock.waiting).toEqual([0]);
  });

  it('never flushes after stop', () => {
    coalescer.changed();
    coalescer.stop();
    coalescer.changed();
    clock.advance(100);
    expect(flushes).toEqual([]);
    expect(clock.waiting).toEqual([]);
  });
});
