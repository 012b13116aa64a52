import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { StoreUnavailableError } from '../common/domain/domain-error';
import { compileTemplate, type CompiledTemplate } from '../registry/domain/render';
import { ChangeFeed, StoreHealth } from '../store/ports/change-feed.port';
import { PromptStore } from '../store/ports/prompt-store.port';
import type { FlagdDocument } from './domain/flag-document';
import { PromptFlagEvaluator } from './domain/flag-evaluator';
import type { ServableVersion } from './domain/prompt-flag';
import { PromptFlagLoader, type LoadedPromptFlag } from './prompt-flag.loader';

/** How often the store is pinged to notice an outage (and recovery) between reloads. */
const STORE_PROBE_INTERVAL_MS = 1000;
/** Slugs a full reload reads from the store at once. */
const RELOAD_CONCURRENCY = 16;

/** One version as a resolve answers it; the template string is the one the flag's value holds. */
export interface ServedVersion {
  readonly version: number;
  readonly variant: string;
  readonly modelHint: string;
  readonly contentHash: string;
  readonly template: string;
  readonly compiled: CompiledTemplate;
}

export interface ServedSlug {
  readonly revision: number;
  /** Every version the flag can serve, by variant name (`v<n>`). */
  readonly versions: ReadonlyMap<string, ServedVersion>;
  /** The rollout's shadow version (absent while killed): resolved too, logged, never served. */
  readonly shadow: ServedVersion | undefined;
  readonly inactive: readonly number[];
}

type Listener = (slug: string) => void;

/**
 * What this replica serves, held in memory so serving never waits on the store: one compiled flagd flag per slug
 * (in {@link PromptFlagEvaluator}) and the precompiled templates of its versions. Refreshed per slug on every
 * change notification, fully every RELOAD_INTERVAL_SECONDS as a backstop. While the store is unreachable it keeps
 * serving what it has and reports itself stale.
 */
@Injectable()
export class ServingState implements OnApplicationBootstrap, OnModuleDestroy {
  readonly evaluator = new PromptFlagEvaluator();
  private readonly logger = new Logger(ServingState.name);
  private readonly slugs = new Map<string, ServedSlug>();
  private readonly listeners = new Set<Listener>();
  private readonly timers: NodeJS.Timeout[] = [];
  private unsubscribe?: () => void;
  private storeReachable = true;
  private loadedOnce = false;

  constructor(
    private readonly store: PromptStore,
    private readonly loader: PromptFlagLoader,
    private readonly feed: ChangeFeed,
    private readonly health: StoreHealth,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    this.unsubscribe = this.feed.subscribe((event) => {
      if (event.kind === 'prompt') void this.refresh(event.slug);
    });
    await this.reloadAll();
    this.timers.push(setInterval(() => void this.reloadAll(), this.config.RELOAD_INTERVAL_SECONDS * 1000).unref());
    this.timers.push(setInterval(() => void this.probeStore(), STORE_PROBE_INTERVAL_MS).unref());
  }

  onModuleDestroy(): void {
    this.unsubscribe?.();
    for (const timer of this.timers) clearInterval(timer);
  }

  /** True while the store cannot be reached: answers come from the last state this replica loaded. */
  get stale(): boolean {
    return !this.storeReachable;
  }

  get ready(): boolean {
    return this.loadedOnce;
  }

  served(slug: string): ServedSlug | undefined {
    return this.slugs.get(slug);
  }

  /** The whole current flagd document; `metadata.version` changes with every change to any flag. */
  exportDocument(): FlagdDocument {
    return this.evaluator.exportDocument();
  }

  /** Called after a slug's flag changed on this replica (sync streams push on it). */
  onChange(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Re-reads one slug from the store and swaps it in; keeps the previous one if that fails. */
  async refresh(slug: string): Promise<void> {
    try {
      this.apply(slug, await this.loader.load(slug));
      this.storeReachable = true;
    } catch (error) {
      this.noteFailure(`refresh of "${slug}"`, error);
    }
  }

  async reloadAll(): Promise<void> {
    try {
      const prompts = await this.store.listPrompts();
      const seen = new Set(prompts.map((p) => p.slug));
      // Slugs are independent: keep several store reads in flight (a network round trip each on Redis) instead of
      // awaiting them one by one. The first failure stops the others from starting new slugs.
      let next = 0;
      let failed = false;
      const worker = async (): Promise<void> => {
        while (!failed && next < prompts.length) {
          const { slug } = prompts[next++];
          const current = this.slugs.get(slug);
          const state = await this.store.getState(slug);
          if (current && current.revision === state.revision) continue;
          this.apply(slug, await this.loader.build(slug, state));
        }
      };
      const workers = Array.from({ length: Math.min(RELOAD_CONCURRENCY, prompts.length) }, () =>
        worker().catch((error: unknown) => {
          failed = true;
          throw error;
        }),
      );
      await Promise.all(workers);
      for (const slug of [...this.slugs.keys()]) if (!seen.has(slug)) this.apply(slug, null);
      this.storeReachable = true;
      this.loadedOnce = true;
    } catch (error) {
      this.noteFailure('full reload', error);
    }
  }

  private apply(slug: string, loaded: LoadedPromptFlag | null): void {
    const current = this.slugs.get(slug);
    if (loaded === null) {
      if (!current) return;
      this.slugs.delete(slug);
      this.evaluator.delete(slug);
    } else {
      // Every change to what a flag serves bumps its revision: an equal one is already served, an older one is a read
      // that lost a race with a newer one.
      if (current && current.revision >= loaded.revision) return;
      // Compile the templates first: a template that does not compile leaves the slug as it was.
      const served = this.servedSlug(loaded, current);
      this.evaluator.set(slug, loaded.flag);
      this.slugs.set(slug, served);
    }
    for (const listener of this.listeners) listener(slug);
  }

  private servedSlug(loaded: LoadedPromptFlag, current: ServedSlug | undefined): ServedSlug {
    const versions = new Map<string, ServedVersion>();
    // The flag's variant names: property keys, so V8 keeps one copy of each ("v1", "v2"…) for all flags.
    for (const [variant, { version }] of Object.entries(loaded.flag.variants)) {
      const body = loaded.versions.get(version) as ServableVersion;
      const compiled = current?.versions.get(variant)?.compiled ?? compileTemplate(body.template, body.variables);
      const { modelHint, contentHash, template } = body;
      versions.set(variant, { version, variant, modelHint, contentHash, template, compiled });
    }
    const { shadowVariant } = loaded.flag.metadata;
    const shadow = shadowVariant === undefined ? undefined : versions.get(shadowVariant);
    return { revision: loaded.revision, versions, shadow, inactive: loaded.inactive };
  }

  private async probeStore(): Promise<void> {
    try {
      await this.health.ping();
      if (!this.storeReachable) {
        this.storeReachable = true;
        this.logger.log('Store reachable again; reloading');
        await this.reloadAll();
      }
    } catch {
      if (this.storeReachable) this.logger.warn('Store unreachable: serving the last loaded flags (reason STALE)');
      this.storeReachable = false;
    }
  }

  private noteFailure(what: string, error: unknown): void {
    if (error instanceof StoreUnavailableError) this.storeReachable = false;
    this.logger.warn(`${what} failed, still serving the last loaded flags: ${(error as Error).message}`);
  }
}
