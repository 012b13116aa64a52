#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import { DEFAULT_TIMEOUT_MS, DEFAULT_URL, EXIT } from './api-client';
import { registerAuditCommand } from './commands/audit.command';
import { registerGateCommands } from './commands/gates.command';
import { registerKillCommand } from './commands/kill.command';
import { registerLintCommand } from './commands/lint.command';
import { registerPromoteCommand } from './commands/promote.command';
import { registerPushCommand } from './commands/push.command';
import { registerRampCommand } from './commands/ramp.command';
import { registerRestoreCommand } from './commands/restore.command';
import { registerRollbackCommand } from './commands/rollback.command';
import { registerRolloutCommand } from './commands/rollout.command';
import { registerStatusCommand } from './commands/status.command';
import { registerVersionsCommand } from './commands/versions.command';

const EXIT_CODES_HELP = `
Exit codes:
  0  ok
  1  operation failed or refused (409, 422, other 4xx, lint errors, an unconfirmed kill, an unsupported endpoint)
  2  usage error (bad or missing arguments)
  3  service unreachable, timed out, or 503 (store down)
  4  authentication or authorization failed (401 bad key, 403 missing role)
  5  not found (404: unknown prompt or version)

Environment:
  PROMPTFLAG_URL  service URL (default ${DEFAULT_URL}); --url overrides
  PROMPTFLAG_KEY  API key; --key overrides
  GITHUB_ACTIONS  when "true", lint also prints ::error annotations`;

export function buildProgram(): Command {
  const program = new Command('promptflag');
  // Set before the commands are added, so every subcommand inherits them.
  program
    .description('promptflag: push, lint, evaluate, approve, promote, roll out, ramp and kill prompts through the promptflag HTTP API')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .option('--url <url>', `service URL (env PROMPTFLAG_URL, default ${DEFAULT_URL})`)
    .option('--key <key>', 'API key (env PROMPTFLAG_KEY)')
    .option('--json', 'print machine-readable JSON only')
    .addOption(new Option('--timeout <ms>', 'per-request timeout in milliseconds').default(String(DEFAULT_TIMEOUT_MS)))
    .addHelpText('after', EXIT_CODES_HELP);

  registerPushCommand(program);
  registerLintCommand(program);
  registerVersionsCommand(program);
  registerGateCommands(program);
  registerPromoteCommand(program);
  registerRolloutCommand(program);
  registerRampCommand(program);
  registerKillCommand(program);
  registerRestoreCommand(program);
  registerRollbackCommand(program);
  registerStatusCommand(program);
  registerAuditCommand(program);
  for (const command of program.commands) command.addHelpText('after', EXIT_CODES_HELP);
  return program;
}

export async function run(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return EXIT.OK;
      return EXIT.USAGE;
    }
    process.stderr.write(`promptflag: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.FAILED;
  }
  return typeof process.exitCode === 'number' ? process.exitCode : EXIT.OK;
}

if (require.main === module) {
  void run(process.argv).then((code) => process.exit(code));
}
