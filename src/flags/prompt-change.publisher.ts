import { Injectable } from '@nestjs/common';
import { ChangeFeed } from '../store/ports/change-feed.port';
import { ServingState } from './serving-state.service';

/**
 * Announces a committed change to a slug's flag: this replica serves it before the write is answered (read your
 * writes), and every other replica hears of it through the change feed.
 */
@Injectable()
export class PromptChangePublisher {
  constructor(
    private readonly state: ServingState,
    private readonly feed: ChangeFeed,
  ) {}

  async changed(slug: string, revision: number): Promise<void> {
    await this.state.refresh(slug);
    await this.feed.publish({ kind: 'prompt', slug, revision });
  }
}
