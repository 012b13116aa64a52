/** What changed, so every replica can refresh just that. */
export type ChangeEvent =
  | { kind: 'prompt'; slug: string; revision: number }
  | { kind: 'keys'; keyId: string };

/**
 * Tells every replica about writes made through any replica (Redis pub/sub; in one process, an emitter).
 * Delivery is best effort: consumers also reload periodically.
 */
export abstract class ChangeFeed {
  abstract publish(event: ChangeEvent): Promise<void>;
  /** @returns an unsubscribe function. */
  abstract subscribe(listener: (event: ChangeEvent) => void): () => void;
}

/** Liveness of the backing store, for /ready. */
export abstract class StoreHealth {
  abstract ping(): Promise<void>;
  abstract readonly kind: 'redis' | 'embedded';
}
