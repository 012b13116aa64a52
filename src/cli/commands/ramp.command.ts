import type { Command } from 'commander';
import { ApiError } from '../api-client';
import { parsePositiveInt, parseSteps, parseVersion, requireReason } from '../args';
import { action, type CliContext, seg } from '../context';
import { CliError, UsageError } from '../output';

const ACTIONS = ['start', 'status', 'pause', 'resume', 'abort', 'advance'] as const;
type RampAction = (typeof ACTIONS)[number];

interface RampOptions {
  steps?: string;
  hold?: string;
  guardrails?: string;
  reason?: string;
}

export function registerRampCommand(program: Command): void {
  program
    .command('ramp')
    .description('ramp a version up in steps (start), or show / pause / resume / abort / advance the current ramp')
    .argument('<slug>')
    .argument('<action>', ACTIONS.join('|'))
    .argument('[version]', 'the version to ramp (start only)')
    .option('--steps <percentages>', 'start: traffic steps in percent, e.g. 1,5,25,50,100')
    .option('--hold <seconds>', 'start: seconds to hold each step before the next')
    .option('--guardrails <json>', 'start: guardrails as JSON, passed to the service as is')
    .option('--reason <text>', 'why (goes into the audit trail)')
    .action(
      action(async (ctx, slug: string, verb: string, versionText: string | undefined, options: RampOptions) => {
        if (!(ACTIONS as readonly string[]).includes(verb)) throw new UsageError(`ramp action must be one of ${ACTIONS.join(', ')} (got "${verb}")`);
        const act = verb as RampAction;
        if (act !== 'start' && versionText !== undefined) throw new UsageError(`ramp ${act} takes no version`);
        const base = `/v1/prompts/${seg(slug)}/ramps`;
        try {
          if (act === 'status') {
            const ramp = await ctx.client.get<Record<string, unknown>>(`${base}/current`);
            ctx.out.data(ramp);
            printRamp(ctx, slug, ramp);
            return;
          }
          if (act === 'start') {
            if (versionText === undefined) throw new UsageError('ramp start needs a version: ramp <slug> start <version> --steps 1,5,25,50,100 --hold 3600 --reason "…"');
            if (options.steps === undefined || options.hold === undefined) throw new UsageError('ramp start needs --steps and --hold');
            const body = {
              version: parseVersion(versionText),
              steps: parseSteps(options.steps),
              holdSeconds: parsePositiveInt(options.hold, '--hold'),
              ...(options.guardrails !== undefined ? { guardrails: parseJson(options.guardrails) } : {}),
              reason: requireReason(options.reason, 'ramp start'),
            };
            const ramp = await ctx.client.post<Record<string, unknown>>(base, body);
            ctx.out.data(ramp);
            ctx.out.line(`${slug}: ramp of v${body.version} started (${body.steps.join('% → ')}%, ${body.holdSeconds}s per step)`);
            printRamp(ctx, slug, ramp);
            return;
          }
          const ramp = await ctx.client.post<Record<string, unknown>>(`${base}/current/${act}`, options.reason === undefined ? {} : { reason: options.reason });
          ctx.out.data(ramp);
          ctx.out.line(`${slug}: ramp ${PAST[act]}`);
          printRamp(ctx, slug, ramp);
        } catch (error) {
          if (error instanceof ApiError && error.kind === 'not-found' && error.routeMissing) {
            throw new CliError(`this server does not support ramps yet (${ctx.client.baseUrl} has no ${base} endpoint)`, 1, { code: 'RAMPS_UNSUPPORTED' });
          }
          throw error;
        }
      }),
    );
}

const PAST: Record<Exclude<RampAction, 'start' | 'status'>, string> = { pause: 'paused', resume: 'resumed', abort: 'aborted', advance: 'advanced' };

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--guardrails is not JSON: ${(error as Error).message}`);
  }
}

/** The ramp API is young: print whatever fields it answers with, the common ones first. */
function printRamp(ctx: CliContext, slug: string, ramp: Record<string, unknown>): void {
  const first = ['version', 'state', 'status', 'currentStep', 'stepIndex', 'percent', 'steps', 'holdSeconds', 'nextStepAt'];
  const keys = [...first.filter((k) => k in ramp), ...Object.keys(ramp).filter((k) => !first.includes(k) && k !== 'slug')];
  if (keys.length === 0) return;
  ctx.out.line(`${slug} ramp:`);
  for (const key of keys) ctx.out.line(`  ${key}: ${typeof ramp[key] === 'object' ? JSON.stringify(ramp[key]) : String(ramp[key])}`);
}
