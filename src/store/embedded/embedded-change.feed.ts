import { EventEmitter } from 'node:events';
import { ChangeFeed, type ChangeEvent } from '../ports/change-feed.port';

const EVENT = 'change';

/**
 * ChangeFeed inside one process. Listeners run on a later tick, as they would with Redis, so a publisher never runs
 * consumer code in its own call stack. Other processes sharing the database file are not notified.
 */
export class EmbeddedChangeFeed extends ChangeFeed {
  private readonly emitter = new EventEmitter().setMaxListeners(0);

  async publish(event: ChangeEvent): Promise<void> {
    setImmediate(() => this.emitter.emit(EVENT, event));
  }

  subscribe(listener: (event: ChangeEvent) => void): () => void {
    const safe = (event: ChangeEvent): void => {
      try {
        listener(event);
      } catch {
        // One failing consumer must not starve the others; each consumer handles its own errors.
      }
    };
    this.emitter.on(EVENT, safe);
    return () => this.emitter.off(EVENT, safe);
  }

  close(): void {
    this.emitter.removeAllListeners();
  }
}
