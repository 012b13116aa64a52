import type { EvaluationDetails, FlagValue, Hook, HookContext } from '@openfeature/server-sdk';
import type { Exposure } from './exposure.sender';
import { sha256Hex } from '../common/domain/canonical-hash';

/**
 * Records an exposure for every successful prompt evaluation on the promptflag OpenFeature client (any caller of
 * that client, not only {@link PromptflagClient}). Runs in the `after` stage and only appends to a buffer; the
 * targeting key is hashed (SHA-256) before it leaves the process.
 */
export class ExposureHook implements Hook {
  constructor(private readonly record: (exposure: Exposure) => void) {}

  after(hookContext: Readonly<HookContext<FlagValue>>, details: EvaluationDetails<FlagValue>): void {
    const targetingKey = hookContext.context.targetingKey;
    if (details.variant === undefined || typeof targetingKey !== 'string' || targetingKey.length === 0) return;
    const value = details.value as { version?: unknown } | null;
    const version = typeof value?.version === 'number' ? value.version : Number(details.flagMetadata.version);
    if (!Number.isFinite(version)) return;
    this.record({
      slug: hookContext.flagKey,
      version,
      variant: details.variant,
      revision: Number(details.flagMetadata.revision ?? 0),
      targetingKeyHash: sha256Hex(targetingKey),
      at: new Date().toISOString(),
    });
  }
}
