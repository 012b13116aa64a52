import type { Logger } from '@nestjs/common';

/**
 * Runs a background pass every interval until stopped. A pass still running when the next one is due is not
 * overlapped (that tick is skipped); a failed pass is logged and the next tick tries again. The timer never keeps
 * the process alive.
 */
export class PeriodicTask {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(
    private readonly what: string,
    private readonly logger: Logger,
  ) {}

  start(intervalMs: number, pass: () => Promise<unknown>): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = pass()
        .then(() => undefined)
        .catch((error: unknown) => this.logger.warn(`${this.what} failed: ${(error as Error).message}`))
        .finally(() => (this.running = undefined));
    }, intervalMs);
    this.timer.unref();
  }

  /** Stops the timer and waits for a pass in progress. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
