import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { FlagdProvider } from '@openfeature/flagd-provider';
import { OFREPProvider } from '@openfeature/ofrep-provider';
import {
  NOOP_PROVIDER,
  OpenFeature,
  ProviderStatus,
  type Client,
  type EvaluationContext,
  type JsonValue,
  type Logger as OpenFeatureLogger,
  type Provider,
} from '@openfeature/server-sdk';
import { render, type RenderValues } from '../registry/domain/render';
import { ExposureHook } from './exposure.hook';
import { ExposureSender, type ExposureStats } from './exposure.sender';
import { InProcessSyncService } from './in-process-sync.service';
import { PromptflagResolveError } from './plugin.errors';
import { PROMPTFLAG_OPTIONS } from './promptflag.module-definition';
import type { PromptflagModuleOptions } from './promptflag.options';
import { TemplateCache } from './template-cache';
import type { PromptFlagValue } from '../flags/domain/prompt-flag';
import type { ResolvedPrompt } from '../flags/prompt-resolver.service';

/** The OpenFeature domain the provider is registered in unless `domain` is given. */
export const PROMPTFLAG_DOMAIN = 'promptflag';
export const DEFAULT_SYNC_PORT = 8015;
/** The most exposures the service takes in one request. */
const MAX_EXPOSURE_BATCH = 1000;

/** Evaluation context of a resolve: a targeting key is required (as by the service). */
export type PromptflagContext = EvaluationContext & { targetingKey: string };

/** What {@link PromptflagClient.resolve} returns: the same fields as the service's resolve endpoint. */
export type PromptflagResolution = ResolvedPrompt;

const NO_PROMPT: JsonValue = {};

/**
 * Resolves and renders prompts in the consumer's process. Registers (and awaits, so the app never serves before the
 * flags are there) an OpenFeature provider in its own domain: the flagd provider in-process, synced from
 * promptflag's sync port, or the OFREP provider. Records exposures through an OpenFeature hook and sends them in
 * batches. On shutdown, sends the last exposures and closes the provider (only its own: the app's other providers
 * and `OpenFeature.close()` stay the app's business).
 */
@Injectable()
export class PromptflagClient implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(PromptflagClient.name);
  private readonly templates = new TemplateCache();
  private readonly domain: string;
  private provider?: Provider;
  private client?: Client;
  private exposures?: ExposureSender;

  constructor(@Inject(PROMPTFLAG_OPTIONS) private readonly options: PromptflagModuleOptions) {
    this.domain = options.domain ?? PROMPTFLAG_DOMAIN;
  }

  async onModuleInit(): Promise<void> {
    const provider = this.createProvider();
    this.provider = provider;
    try {
      await OpenFeature.setProviderAndWait(this.domain, provider);
    } catch (error) {
      await this.closeProvider();
      const where = this.mode === 'ofrep' ? this.ofrepUrl : `${this.options.host}:${this.syncPort}`;
      throw new Error(`promptflag: the ${this.mode} provider could not start against ${where}: ${(error as Error).message}`);
    }
    this.client = OpenFeature.getClient(this.domain);
    // In OFREP mode every evaluation happens in the service, which records it as an exposure itself.
    if (this.options.exposures !== false && this.mode !== 'ofrep') {
      const batchSize = Math.min(this.options.exposures?.batchSize ?? 100, MAX_EXPOSURE_BATCH);
      this.exposures = new ExposureSender({
        url: `${trimSlash(this.options.serviceUrl)}/v1/exposures`,
        apiKey: this.options.apiKey,
        batchSize,
        flushIntervalMs: this.options.exposures?.flushIntervalMs ?? 5000,
        maxQueued: this.options.exposures?.maxQueued ?? batchSize * 10,
      });
      this.exposures.start();
      const sender = this.exposures;
      this.client.addHooks(new ExposureHook((exposure) => sender.record(exposure)));
    }
  }

  async onModuleDestroy(): Promise<void> {
    await this.exposures?.close();
    await this.closeProvider();
  }

  /**
   * Which version of `slug` this context gets, evaluated in-process (or over OFREP), and the template rendered with
   * `variables` by the service's own single-pass renderer.
   *
   * @throws PromptflagResolveError when the slug is not served, the context has no targeting key, or the provider
   * cannot answer (it is never answered with a code default: there is no sensible default prompt).
   * @throws MissingVariableError, UndeclaredVariableError, InvalidVariableValueError when rendering fails.
   */
  async resolve(slug: string, context: PromptflagContext, variables?: RenderValues): Promise<PromptflagResolution> {
    const client = this.requireClient();
    if (typeof context?.targetingKey !== 'string' || context.targetingKey.length === 0) {
      throw new PromptflagResolveError(slug, 'TARGETING_KEY_MISSING', 'context.targetingKey is required');
    }
    const details = await client.getObjectDetails(slug, NO_PROMPT, context);
    if (details.errorCode !== undefined || details.variant === undefined || !isPromptValue(details.value)) {
      throw new PromptflagResolveError(slug, details.errorCode ?? 'GENERAL', details.errorMessage ?? `no prompt version (reason ${details.reason})`);
    }
    const value = details.value;
    const status = client.providerStatus;
    const result: PromptflagResolution = {
      slug,
      version: value.version,
      variant: details.variant,
      reason: status === ProviderStatus.STALE || status === ProviderStatus.ERROR ? 'STALE' : (details.reason ?? 'UNKNOWN'),
      revision: Number(details.flagMetadata.revision ?? 0),
      modelHint: value.modelHint,
      contentHash: value.contentHash,
      template: value.template,
    };
    if (variables !== undefined) result.rendered = render(this.templates.get(value), variables);
    return result;
  }

  /** The provider's status: READY, STALE or ERROR (still answering from the last document in-process), ... */
  get status(): ProviderStatus {
    return this.requireClient().providerStatus;
  }

  /** The OpenFeature client of the promptflag domain, e.g. to add handlers for ProviderEvents. */
  get openFeatureClient(): Client {
    return this.requireClient();
  }

  /** Exposure counts (sent, dropped, queued); all zero when exposures are off. */
  get exposureStats(): ExposureStats {
    return this.exposures?.counts ?? { sent: 0, dropped: 0, queued: 0 };
  }

  private get mode() {
    return this.options.mode ?? 'in-process';
  }

  private get syncPort(): number {
    return this.options.syncPort ?? DEFAULT_SYNC_PORT;
  }

  private get ofrepUrl(): string {
    return trimSlash(this.options.ofrepUrl ?? this.options.serviceUrl);
  }

  private createProvider(): Provider {
    if (this.mode === 'ofrep') {
      return new OFREPProvider({ baseUrl: this.ofrepUrl, headers: this.options.apiKey ? [['Authorization', `Bearer ${this.options.apiKey}`]] : [] });
    }
    const tuning = this.options.inProcess ?? {};
    const logger = toOpenFeatureLogger(this.logger);
    const service = new InProcessSyncService(
      {
        host: this.options.host,
        port: this.syncPort,
        apiKey: this.options.apiKey,
        selector: tuning.selector,
        tls: tuning.tls ?? false,
        connectTimeoutMs: tuning.connectTimeoutMs ?? 5000,
        retryBackoffMs: tuning.retryBackoffMs ?? 500,
        retryBackoffMaxMs: tuning.retryBackoffMaxMs ?? 10_000,
        providerId: `promptflag-nestjs:${this.domain}`,
      },
      logger,
    );
    return new FlagdProvider({ resolverType: 'in-process', retryGracePeriod: tuning.retryGracePeriodSeconds ?? 5 }, logger, service);
  }

  private async closeProvider(): Promise<void> {
    const provider = this.provider;
    if (!provider) return;
    this.provider = undefined;
    this.client = undefined;
    if (OpenFeature.getProvider(this.domain) === provider) await OpenFeature.setProviderAndWait(this.domain, NOOP_PROVIDER);
    await provider.onClose?.();
  }

  private requireClient(): Client {
    if (!this.client) throw new PromptflagResolveError('*', 'PROVIDER_NOT_READY', 'PromptflagModule is not initialised (or already closed)');
    return this.client;
  }
}

function isPromptValue(value: unknown): value is PromptFlagValue {
  const v = value as Partial<PromptFlagValue> | null;
  return (
    typeof v === 'object' &&
    v !== null &&
    typeof v.version === 'number' &&
    typeof v.template === 'string' &&
    typeof v.contentHash === 'string' &&
    Array.isArray(v.requiredVariables) &&
    Array.isArray(v.optionalVariables)
  );
}

function trimSlash(url: string): string {
  return url.replace(/\/+$/, '');
}

/** flagd provider logs through Nest; its per-attempt connection noise goes to debug. */
function toOpenFeatureLogger(logger: Logger): OpenFeatureLogger {
  return {
    error: (...args: unknown[]) => logger.warn(args.map(String).join(' ')),
    warn: (...args: unknown[]) => logger.warn(args.map(String).join(' ')),
    info: (...args: unknown[]) => logger.log(args.map(String).join(' ')),
    debug: (...args: unknown[]) => logger.debug(args.map(String).join(' ')),
  };
}
