import type { Command } from 'commander';
import { parseNumber, parseVersion, requireReason } from '../args';
import { action, type CliContext, seg } from '../context';
import { UsageError } from '../output';
import type { GatePolicyView, GateStatusView } from '../../gates/gate.service';

export function registerGateCommands(program: Command): void {
  program
    .command('eval')
    .description('attach an eval result to a version (a promotion gate: prod and more than the canary share need a passing one)')
    .argument('<slug>')
    .argument('<version>')
    .requiredOption('--suite-hash <hash>', 'hash of the eval suite that ran')
    .requiredOption('--score <number>', 'the suite’s score')
    .option('--passed', 'the run passed')
    .option('--failed', 'the run failed')
    .option('--run-url <url>', 'link to the eval run')
    .action(
      action(async (ctx, slug: string, versionText: string, options: { suiteHash: string; score: string; passed?: boolean; failed?: boolean; runUrl?: string }) => {
        if (options.passed === options.failed) throw new UsageError('eval needs exactly one of --passed or --failed');
        const version = parseVersion(versionText);
        const body = { suiteHash: options.suiteHash, score: parseNumber(options.score, '--score'), passed: options.passed === true, ...(options.runUrl ? { runUrl: options.runUrl } : {}) };
        const view = await ctx.client.post<GateStatusView>(`/v1/prompts/${seg(slug)}/versions/${version}/evals`, body);
        ctx.out.data(view);
        ctx.out.line(`${slug} v${version}: eval recorded (score ${body.score}, ${body.passed ? 'passed' : 'failed'})`);
        printGates(ctx, view);
      }),
    );

  program
    .command('approve')
    .description('approve a version written by someone else (high-stakes slugs need one before prod)')
    .argument('<slug>')
    .argument('<version>')
    .option('--comment <text>', 'what you checked (required)')
    .action(
      action(async (ctx, slug: string, versionText: string, options: { comment?: string }) => {
        const version = parseVersion(versionText);
        if (options.comment === undefined || options.comment.trim() === '') throw new UsageError('approve needs --comment "…" (it goes into the audit trail)');
        const view = await ctx.client.post<GateStatusView>(`/v1/prompts/${seg(slug)}/versions/${version}/approvals`, { comment: options.comment });
        ctx.out.data(view);
        ctx.out.line(`${slug} v${version}: approved`);
        printGates(ctx, view);
      }),
    );

  program
    .command('gates')
    .description("show a version's promotion gates (lint, eval, approval) and the slug's policy")
    .argument('<slug>')
    .argument('<version>')
    .action(
      action(async (ctx, slug: string, versionText: string) => {
        const view = await ctx.client.get<GateStatusView>(`/v1/prompts/${seg(slug)}/versions/${parseVersion(versionText)}/gates`);
        ctx.out.data(view);
        printGates(ctx, view);
      }),
    );

  program
    .command('policy')
    .description("show a slug's promotion policy, or replace it (admin) when any option is given")
    .argument('<slug>')
    .option('--eval-threshold <score>', 'minimum eval score ("none": the run’s verdict decides)')
    .option('--high-stakes <yes|no>', 'require an approval by someone other than the author')
    .option('--canary-percent <percent>', 'largest share an ungated version may get (default 5)')
    .option('--reason <text>', 'why (required when changing)')
    .action(
      action(async (ctx, slug: string, options: { evalThreshold?: string; highStakes?: string; canaryPercent?: string; reason?: string }) => {
        const path = `/v1/prompts/${seg(slug)}/policy`;
        const changing = options.evalThreshold !== undefined || options.highStakes !== undefined || options.canaryPercent !== undefined;
        let policy: GatePolicyView;
        if (!changing) policy = await ctx.client.get<GatePolicyView>(path);
        else {
          // PUT replaces the whole policy: start from the current one so an option left out keeps its value.
          const current = await ctx.client.get<GatePolicyView>(path);
          const body = {
            evalThreshold: options.evalThreshold === undefined ? current.evalThreshold : options.evalThreshold === 'none' ? null : parseNumber(options.evalThreshold, '--eval-threshold'),
            highStakes: options.highStakes === undefined ? current.highStakes : parseYesNo(options.highStakes),
            canaryPercent: options.canaryPercent === undefined ? current.canaryPercent : parseNumber(options.canaryPercent, '--canary-percent'),
            reason: requireReason(options.reason, 'policy'),
          };
          policy = (await ctx.client.request<GatePolicyView>('PUT', path, { body })).body;
        }
        ctx.out.data(policy);
        const threshold = policy.evalThreshold === null ? 'the run’s verdict' : `score ≥ ${policy.evalThreshold}`;
        ctx.out.line(`${slug}: eval gate ${threshold}; ${policy.highStakes ? 'high-stakes (approval required)' : 'no approval required'}; canary up to ${policy.canaryPercent}%${policy.custom ? '' : ' (defaults)'}`);
      }),
    );
}

function printGates(ctx: CliContext, view: GateStatusView): void {
  ctx.out.table(
    view.gates.map((g) => ({ gate: g.gate, state: !g.required ? 'n/a' : g.met ? 'met' : 'UNMET', detail: g.detail })),
    ['gate', 'state', 'detail'],
  );
  ctx.out.line(view.cleared ? `v${view.version} may go to prod` : `v${view.version} may get at most ${view.policy.canaryPercent}% of traffic until its gates are met`);
}

function parseYesNo(text: string): boolean {
  if (/^(yes|true|on)$/i.test(text)) return true;
  if (/^(no|false|off)$/i.test(text)) return false;
  throw new UsageError(`--high-stakes must be yes or no (got "${text}")`);
}
