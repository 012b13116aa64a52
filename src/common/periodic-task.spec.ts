import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from '@nestjs/common';
import { PeriodicTask } from './periodic-task';

describe('PeriodicTask', () => {
  it('never overlaps a slow pass, logs a failed one and keeps going, and stop() waits for the pass in progress', async () => {
    const warnings: string[] = [];
    const task = new PeriodicTask('Test pass', { warn: (message: string) => warnings.push(message) } as unknown as Logger);
    let active = 0;
    let maxActive = 0;
    let passes = 0;
    let finished = 0;
    task.start(5, async () => {
      active++;
      maxActive = Math.max(maxActive, active);
      passes++;
      await sleep(30);
      active--;
      finished++;
      if (passes === 1) throw new Error('boom');
    });
    await sleep(120);
    await task.stop();
    expect(maxActive).toBe(1);
    expect(passes).toBeGreaterThanOrEqual(2);
    expect(finished).toBe(passes);
    expect(warnings).toEqual(['Test pass failed: boom']);
    const after = passes;
    await sleep(30);
    expect(passes).toBe(after);
  });
});
