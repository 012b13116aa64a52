import type { Redis } from 'ioredis';
import { StoreUnavailableError } from '../../common/domain/domain-error';
import { ChangeFeed, type ChangeEvent } from '../ports/change-feed.port';
import { guardRedis } from './redis-errors';
import type { RedisKeys } from './redis-keys';

type Listener = (event: ChangeEvent) => void;

/**
 * ChangeFeed over Redis pub/sub. Publishes on the command connection, listens on the subscriber connection (which
 * re-subscribes after a reconnect). Publishing is best effort: when Redis is unreachable the event is dropped rather
 * than failing a write that already committed; replicas catch up on their periodic reload.
 */
export class RedisChangeFeed extends ChangeFeed {
  private readonly listeners = new Set<Listener>();
  private readonly channel: string;

  constructor(
    private readonly client: Redis,
    private readonly subscriber: Redis,
    keys: RedisKeys,
  ) {
    super();
    this.channel = keys.changes();
  }

  async publish(event: ChangeEvent): Promise<void> {
    try {
      await guardRedis(() => this.client.publish(this.channel, JSON.stringify(event)));
    } catch (error) {
      if (!(error instanceof StoreUnavailableError)) throw error;
    }
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.listeners.size === 1) {
      this.subscriber.on('message', this.onMessage);
      this.subscriber.subscribe(this.channel).catch(() => undefined);
    }
    return () => {
      if (!this.listeners.delete(listener) || this.listeners.size > 0) return;
      this.subscriber.off('message', this.onMessage);
      this.subscriber.unsubscribe(this.channel).catch(() => undefined);
    };
  }

  /** Drops every listener (the connections belong to whoever created them). */
  close(): void {
    if (this.listeners.size === 0) return;
    this.listeners.clear();
    this.subscriber.off('message', this.onMessage);
    this.subscriber.unsubscribe(this.channel).catch(() => undefined);
  }

  private readonly onMessage = (channel: string, message: string): void => {
    if (channel !== this.channel) return;
    const event = parseEvent(message);
    if (!event) return;
    for (const listener of [...this.listeners]) {
      try {
        listener(event);
      } catch {
        // One failing consumer must not starve the others; each consumer handles its own errors.
      }
    }
  };
}

function parseEvent(message: string): ChangeEvent | null {
  try {
    const event = JSON.parse(message) as ChangeEvent;
    return event && (event.kind === 'prompt' || event.kind === 'keys') ? event : null;
  } catch {
    return null;
  }
}
