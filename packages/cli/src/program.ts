import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { configValidateCommand } from './commands/config-validate.js';
import { requestCommand, type RequestCommandOptions } from './commands/request.js';
import { version } from './version.js';

/** What the program prints and where; swapped in tests. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};

/** Global options, as the original's argparse defines them. */
export interface GlobalOptions {
  config: string;
  secure?: string;
  logconfig?: string;
  debug?: boolean;
}

/** A failure to report as one line, without a stack trace. */
export class CommandFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/**
 * The `nodepool` command. Global options may come before or after the subcommand
 * (`nodepool -c f config-validate` and `nodepool config-validate -c f` both work).
 */
export function buildProgram(output: Output, setExitCode: (code: number) => void): Command {
  const program = new Command('nodepool')
    .description('Manage and inspect Nodepool: nodes, requests, images and configuration.')
    .option('-c, --config <file>', 'path to the configuration file', '/etc/nodepool/nodepool.yaml')
    .option('-s, --secure <file>', 'path to the secure file')
    .option('-l, --logconfig <file>', 'path to the logging configuration file')
    .option('--debug', 'show debug output')
    .version(`Nodepool version: ${version}`, '--version', 'show the version and exit')
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .exitOverride()
    .showHelpAfterError();

  const run = (action: (options: GlobalOptions, command: Command) => Promise<number>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      setExitCode(await action(command.optsWithGlobals<GlobalOptions>(), command));
    };

  program
    .command('config-validate')
    .description('validate the configuration file; exit 1 and list every problem if it is not valid')
    .option('-c, --config <file>', 'path to the configuration file')
    .option('-s, --secure <file>', 'path to the secure file')
    .action(run((options) => configValidateCommand(options, output)));

  program
    .command('request')
    .description('request nodes as Zuul does; with --wait, take them, list them and return them as used')
    .argument('<label...>', 'the label of each node wanted')
    .option('--wait', 'wait until the request is fulfilled or failed, then take the nodes and return them as used')
    .option('--hold <seconds>', 'keep the nodes in use and locked this long before returning them (implies --wait)', parseSeconds)
    .option('--timeout <seconds>', 'give up connecting and waiting after this long (default: no limit)', parseSeconds)
    .option('--priority <ppp>', 'request priority, three digits, lower is more urgent', parsePriority, '200')
    .option('--tenant <name>', 'the tenant to request the nodes for (its quotas apply)')
    .option('--project <name>', 'the project named in the nodes while they are in use', 'nodepool-cli')
    .option('-c, --config <file>', 'path to the configuration file')
    .option('-s, --secure <file>', 'path to the secure file')
    .action(
      run((options, command) => requestCommand(command.processedArgs[0] as string[], options as RequestCommandOptions, output)),
    );

  return program;
}

function parseSeconds(value: string): number {
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds < 0) throw new InvalidArgumentError('expected a number of seconds');
  return seconds;
}

function parsePriority(value: string): string {
  if (!/^\d{1,3}$/.test(value)) throw new InvalidArgumentError('expected up to three digits, such as 200');
  return value.padStart(3, '0');
}

/** Runs the program; resolves with the exit code. */
export async function main(argv: readonly string[], output: Output = consoleOutput): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(output, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    // As the original: help, and exit status 1.
    output.out(program.helpInformation().trimEnd());
    return 1;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    if (error instanceof CommandFailure) {
      output.err(`nodepool: ${error.message}`);
      return error.exitCode;
    }
    output.err(`nodepool: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}
