import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Principal } from '../auth/domain/principal';
import { PeriodicTask } from '../common/periodic-task';
import { AppConfig } from '../config/app-config';
import { StatsigAllocationSource } from '../statsig/statsig-allocation.source';
import { StatsigService } from '../statsig/statsig.service';
import { PromptStore } from '../store/ports/prompt-store.port';
import { type StoredRollout, sameAllocation, type StatsigAllocationRef } from './domain/rollout';
import { RolloutService } from './rollout.service';

export const STATSIG_ACTOR: Principal = { keyId: 'statsig', name: 'statsig', role: 'admin' };

export interface StatsigSyncOutcome {
  slug: string;
  experiment: string;
  outcome: 'unchanged' | 'updated' | 'failed';
  reason?: string;
}

/**
 * Keeps rollouts that take their weights from a Statsig experiment in step with it: every
 * STATSIG_ALLOCATION_SYNC_SECONDS, each such rollout's weights are re-read and, when Statsig's differ, written through
 * RolloutService (validated, gated, revision-safe, audited as `statsig`). Every replica runs it; a replica that loses
 * the race re-reads and finds nothing to do.
 */
@Injectable()
export class StatsigAllocationSync implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(StatsigAllocationSync.name);
  private readonly task = new PeriodicTask('Statsig allocation sync', this.logger);

  constructor(
    private readonly config: AppConfig,
    private readonly statsig: StatsigService,
    private readonly source: StatsigAllocationSource,
    private readonly store: PromptStore,
    private readonly rollouts: RolloutService,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.statsig.enabled || this.config.STATSIG_ALLOCATION_SYNC_SECONDS === 0) return;
    this.task.start(this.config.STATSIG_ALLOCATION_SYNC_SECONDS * 1000, () => this.syncAll());
  }

  onModuleDestroy(): Promise<void> {
    return this.task.stop();
  }

  /** One pass over every rollout linked to a Statsig experiment. */
  async syncAll(): Promise<StatsigSyncOutcome[]> {
    const outcomes: StatsigSyncOutcome[] = [];
    for (const { slug } of await this.store.listPrompts()) {
      const rollout = (await this.store.getState(slug)).rollout;
      if (rollout?.statsigAllocation) outcomes.push(await this.syncOne(slug, rollout, rollout.statsigAllocation));
    }
    return outcomes;
  }

  /** replaceAllocation re-reads the slug and writes against its current revision, so `rollout` may be a moment old. */
  private async syncOne(slug: string, rollout: StoredRollout, { experiment, parameter }: StatsigAllocationRef): Promise<StatsigSyncOutcome> {
    try {
      const wanted = this.source.allocationFor(experiment, parameter);
      if (sameAllocation(rollout.allocation, wanted)) return { slug, experiment, outcome: 'unchanged' };
      await this.rollouts.replaceAllocation(slug, wanted, `Statsig experiment "${experiment}" changed the weights`, STATSIG_ACTOR);
      return { slug, experiment, outcome: 'updated' };
    } catch (error) {
      const reason = (error as Error).message;
      this.logger.warn(`Rollout of "${slug}" could not follow Statsig experiment "${experiment}": ${reason}`);
      return { slug, experiment, outcome: 'failed', reason };
    }
  }
}
