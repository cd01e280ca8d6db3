import { Command, CommanderError } from 'commander';
import { configValidateCommand } from './commands/config-validate.js';
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
    .version(version, '--version', 'show the version and exit')
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

  return program;
}

/** Runs the program; resolves with the exit code. */
export async function main(argv: readonly string[], output: Output = consoleOutput): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(output, (code) => {
    exitCode = code;
  });
  if (argv.length === 0) {
    output.out(program.helpInformation().trimEnd());
    return 2;
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
