export interface LimiterVerdict {
  blocked: boolean;
  retryAfterSeconds: number;
}

/**
 * Counts failed authentications per client in fixed windows. A client over `limit` failures is blocked until its
 * window ends. Memory stays bounded: windows that ended are dropped as new failures arrive.
 */
export class FailureLimiter {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly maxClients = 100_000,
  ) {}

  recordFailure(client: string, now: number): LimiterVerdict {
    let window = this.windows.get(client);
    if (!window || now - window.startedAt >= this.windowMs) {
      this.evictEnded(now);
      window = { startedAt: now, failures: 0 };
      this.windows.set(client, window);
    }
    window.failures += 1;
    return this.verdict(window, now);
  }

  check(client: string, now: number): LimiterVerdict {
    const window = this.windows.get(client);
    if (!window || now - window.startedAt >= this.windowMs) return { blocked: false, retryAfterSeconds: 0 };
    return this.verdict(window, now);
  }

  private verdict(window: { startedAt: number; failures: number }, now: number): LimiterVerdict {
    const blocked = window.failures > this.limit;
    return { blocked, retryAfterSeconds: blocked ? Math.max(1, Math.ceil((window.startedAt + this.windowMs - now) / 1000)) : 0 };
  }

  private evictEnded(now: number): void {
    if (this.windows.size < this.maxClients) return;
    for (const [client, window] of this.windows) {
      if (now - window.startedAt >= this.windowMs) this.windows.delete(client);
    }
    if (this.windows.size >= this.maxClients) this.windows.delete(this.windows.keys().next().value as string);
  }
}
