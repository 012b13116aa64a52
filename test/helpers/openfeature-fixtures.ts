import { randomBytes } from 'node:crypto';
import type { Client, ProviderEvents } from '@openfeature/server-sdk';

/** `count` distinct random ASCII targeting keys (flagd-core hashes char codes, so keep them ASCII). */
export function randomUsers(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `user-${randomBytes(6).toString('hex')}-${i}`);
}

/**
 * Resolves on the next `event` of `client` (e.g. ProviderEvents.ConfigurationChanged), with its details. Register
 * it before triggering the change. Rejects after `timeoutMs` so a test fails instead of hanging.
 */
export function nextEvent(client: Client, event: ProviderEvents, timeoutMs = 10_000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const handler = (details: unknown) => {
      clearTimeout(timer);
      client.removeHandler(event, handler);
      resolve(details);
    };
    const timer = setTimeout(() => {
      client.removeHandler(event, handler);
      reject(new Error(`no ${event} within ${timeoutMs} ms`));
    }, timeoutMs);
    client.addHandler(event, handler);
  });
}
