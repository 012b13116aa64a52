/**
 * Figure 1: in-process PromptResolver.resolve on a warm cache vs raw flagd-core evaluation of the same flag.
 *
 * Runs in its own child process pinned to one core (taskset), so "on one core" is literal: V8's GC helper
 * threads share that core too. The parent only collects the result.
 */
import { FlagdCore } from '@openfeature/flagd-core';
import type { EvaluationContext } from '@openfeature/core';
import { SILENT_LOGGER } from '../src/flags/domain/flag-document';
import { isFlagEvaluationError } from '../src/flags/domain/flag-evaluator';
import { PromptResolver, type ResolveRequest } from '../src/flags/prompt-resolver.service';
import { ServingState } from '../src/flags/serving-state.service';
import { render } from '../src/registry/domain/render';
import { bootApp } from './lib/boot-app';
import { BenchChild, report, runChild } from './lib/child';
import { resolveBody } from './lib/fixtures';
import { seedViaServices } from './lib/seed';
import type { HotFunction } from './lib/cpuprofile';
import { profileWhile } from './lib/inspector-profile';
import { GcRecorder, measureInterleaved, type TargetMeasurement } from './lib/timing';
import { whatIfResolver } from './lib/what-if-resolver';

export const SLUG = 'support-triage';
const KEYS = 4096; // distinct targeting keys, cycled (power of two: index with a mask)
const MASK = KEYS - 1;

export interface ResolverFigure {
  slug: string;
  templateBytes: number;
  variables: number;
  keys: number;
  /** Keys for which resolve and raw flagd-core picked the same variant (must be all of them). */
  agreement: number;
  variantShare: Record<string, number>;
  renderedBytes: number;
  storeKind: string;
  pinnedCpu: number | null;
  ours: TargetMeasurement;
  reference: TargetMeasurement;
  /** Informative breakdown of `ours`, and the what-if (suggested fix) measured in the same rounds. */
  parts: TargetMeasurement[];
  /** null when the what-if no longer applies (see WhatIfResolver.applicable). */
  whatIf: TargetMeasurement | null;
  /** Whether the what-if resolver returned the same answers as the real one for every key. */
  whatIfAgrees: boolean;
  /** Self-time profile of `ours` alone (inspector sampling profiler, separate from the timed rounds). */
  profile: { file: string; hot: HotFunction[] };
  settings: { batchSize: number; warmupMs: number; roundMs: number; rounds: number };
}

/** Orchestrator side: runs the figure in a fresh child pinned to core 0. */
export async function runResolverFigure(): Promise<ResolverFigure> {
  const child = new BenchChild(__filename, ['child'], { cpu: 0 });
  try {
    const result = await child.next<{ type: string; figure: ResolverFigure }>('result', 180_000);
    return { ...result.figure, pinnedCpu: child.pinnedTo ?? null };
  } finally {
    await child.stop();
  }
}

async function child(): Promise<void> {
  const bench = await bootApp({ listen: false });
  try {
    await seedViaServices(bench.app, SLUG);
    const resolver = bench.app.get(PromptResolver);
    const state = bench.app.get(ServingState);

    const requests: ResolveRequest[] = Array.from({ length: KEYS }, (_, i) => resolveBody(i));
    // Built with Object.assign, not a spread: see what-if-resolver.ts (a spread would give each context its own map).
    const contexts: EvaluationContext[] = requests.map((r) => Object.assign({}, r.context, { targetingKey: r.targetingKey }));

    // The reference: flagd-core itself, loaded with the flagd document this app exports (what an in-process flagd
    // provider would hold), asked for the same flag with the same contexts.
    const core = new FlagdCore(undefined, SILENT_LOGGER);
    core.setConfigurations(JSON.stringify(state.exportDocument()));
    const fallback = {};

    let agreement = 0;
    const variantShare: Record<string, number> = {};
    let renderedBytes = 0;
    for (let i = 0; i < KEYS; i++) {
      const ours = resolver.resolve(SLUG, requests[i]);
      const ref = core.resolveObjectEvaluation(SLUG, fallback, contexts[i]);
      if (ours.variant === ref.variant) agreement++;
      variantShare[ours.variant] = (variantShare[ours.variant] ?? 0) + 1;
      renderedBytes = Math.max(renderedBytes, Buffer.byteLength(ours.rendered ?? ''));
    }
    const served = state.served(SLUG);
    const compiled = served?.versions.get('v1')?.compiled;
    if (!compiled) throw new Error('no compiled template for v1');
    const v1Template = (state.exportDocument().flags[SLUG].variants.v1 as { template: string }).template;
    const whatIf = whatIfResolver(resolver);
    const whatIfAgrees = whatIf !== null && requests.every((r) => JSON.stringify(whatIf.resolve(SLUG, r)) === JSON.stringify(resolver.resolve(SLUG, r)));
    const withoutVariables: ResolveRequest[] = requests.map((r) => ({ targetingKey: r.targetingKey, context: r.context }));

    const settings = {
      batchSize: 100,
      warmupMs: Number(process.env.BENCH_RESOLVER_WARMUP_MS ?? 1500),
      roundMs: Number(process.env.BENCH_RESOLVER_ROUND_MS ?? 1000),
      rounds: Number(process.env.BENCH_RESOLVER_ROUNDS ?? 5),
    };
    const gc = new GcRecorder();
    gc.start();
    const [ours, reference, whatIfMeasurement] = await measureInterleaved(
      [
        { name: 'PromptResolver.resolve (with variables)', fn: (i) => resolver.resolve(SLUG, requests[i & MASK]) },
        { name: 'FlagdCore.resolveObjectEvaluation (raw)', fn: (i) => core.resolveObjectEvaluation(SLUG, fallback, contexts[i & MASK]) },
        ...(whatIf && whatIfAgrees ? [{ name: 'what-if: resolve with the context built by Object.assign', fn: (i: number) => whatIf.resolve(SLUG, requests[i & MASK]) }] : []),
      ],
      settings,
      gc,
    );
    const parts = await measureInterleaved(
      [
        { name: 'PromptResolver.resolve without variables', fn: (i) => resolver.resolve(SLUG, withoutVariables[i & MASK]) },
        {
          name: 'PromptFlagEvaluator.evaluate only',
          fn: (i) => {
            const e = state.evaluator.evaluate(SLUG, contexts[i & MASK]);
            return isFlagEvaluationError(e) ? null : e;
          },
        },
        { name: 'render() of the compiled template only', fn: (i) => render(compiled, requests[i & MASK].variables ?? {}) },
        { name: 'resolve + JSON.stringify of the result (what the HTTP route does next)', fn: (i) => JSON.stringify(resolver.resolve(SLUG, requests[i & MASK])) },
      ],
      { ...settings, warmupMs: 500, rounds: Math.max(1, Math.ceil(settings.rounds / 2)) },
      gc,
    );
    gc.stop();
    const profile = await profileWhile('resolver-ours', () => {
      const deadline = Date.now() + 2000;
      for (let i = 0; Date.now() < deadline; i += 100) for (let j = 0; j < 100; j++) resolver.resolve(SLUG, requests[(i + j) & MASK]);
    });

    await report({
      type: 'result',
      figure: {
        slug: SLUG,
        templateBytes: Buffer.byteLength(v1Template),
        variables: compiled.variables.length,
        keys: KEYS,
        agreement,
        variantShare,
        renderedBytes,
        storeKind: bench.storeKind,
        pinnedCpu: null,
        ours,
        reference,
        parts,
        whatIf: whatIfMeasurement ?? null,
        whatIfAgrees,
        profile,
        settings,
      } satisfies ResolverFigure,
    });
  } finally {
    await bench.close();
  }
}

if (require.main === module && process.argv[2] === 'child') runChild(child);
