import { Command, CommanderError, InvalidArgumentError } from 'commander';
import type { CommandContext, MainOptions } from './cli-context.js';
import { alienImageListCommand } from './commands/alien-image-list.js';
import { configPlanCommand } from './commands/config-plan.js';
import { configValidateCommand } from './commands/config-validate.js';
import { dibImageDeleteCommand, imageBuildCommand, imageDeleteCommand, imagePauseCommand } from './commands/image-admin.js';
import { exportImageDataCommand, importImageDataCommand } from './commands/image-data.js';
import { dibImageListCommand, imageListCommand, imageStatusCommand, listCommand, requestListCommand, type ListingOptions } from './commands/listings.js';
import { deleteCommand, holdCommand } from './commands/node-admin.js';
import { eraseCommand, infoCommand } from './commands/provider-admin.js';
import { requestCommand, type RequestCommandOptions } from './commands/request.js';
import { requestExplainCommand } from './commands/request-explain.js';
import { configureCommandLogging } from './logging.js';
import { CommandFailure, consoleOutput, type GlobalOptions, type Output } from './program-types.js';
import { version } from './version.js';

export { CommandFailure, consoleOutput, type GlobalOptions, type Output } from './program-types.js';

/**
 * The `nodepool` command. Global options may come before or after the subcommand
 * (`nodepool -c f config-validate` and `nodepool config-validate -c f` both work).
 */
export function buildProgram(output: Output, setExitCode: (code: number) => void, mainOptions: MainOptions = {}): Command {
  const program = new Command('nodepool')
    .description('Manage and inspect Nodepool: nodes, requests, images and configuration.')
    .option('-c, --config <file>', 'path to the configuration file', '/etc/nodepool/nodepool.yaml')
    .option('-s, --secure <file>', 'path to the secure file')
    .option('-l, --logconfig <file>', 'path to the logging configuration file')
    .option('--debug', 'show debug output')
    .version(`Nodepool version: ${version}`, '--version', 'show the version and exit')
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .exitOverride()
    .showHelpAfterError()
    // Before any command does anything: no log line may reach stdout, and below warning only with --debug.
    .hook('preAction', async (_program, action) => configureCommandLogging(action.optsWithGlobals<GlobalOptions>()));

  const run = (action: (options: GlobalOptions, command: Command) => Promise<number>) =>
    async (...args: unknown[]): Promise<void> => {
      const command = args[args.length - 1] as Command;
      setExitCode(await action(command.optsWithGlobals<GlobalOptions>(), command));
    };

  /** A subcommand that also takes the global -c and -s after its name. */
  const command = (name: string, description: string): Command =>
    program
      .command(name)
      .description(description)
      .option('-c, --config <file>', 'path to the configuration file')
      .option('-s, --secure <file>', 'path to the secure file');
  const json = (cmd: Command): Command => cmd.option('--json', 'print JSON (as the web API does) instead of the table');
  const withContext = (action: (context: CommandContext, args: unknown[], options: Record<string, unknown>) => Promise<number>) =>
    run(async (options, cmd) => action({ options, output, main: mainOptions }, cmd.processedArgs as unknown[], cmd.opts()));

  command('config-validate', 'validate the configuration file; exit 1 and list every problem if it is not valid').action(
    run((options) => configValidateCommand(options, output)),
  );
  command('config-plan', 'say what a reload with NEW would do to the configuration and nodes in use; exit 0 no change, 2 changes, 1 error')
    .argument('<new>', 'the configuration file to compare with the one in use (-c)')
    .option('--json', 'print the plan as JSON')
    .action(withContext((context, [file], options) => configPlanCommand(context, file as string, options)));

  json(command('list', 'list nodes'))
    .option('--detail', 'output detailed node info')
    .action(withContext((context, _args, options) => listCommand(context, options as ListingOptions & { detail?: boolean })));
  json(command('request-list', 'list the current node requests')).action(withContext((context, _args, options) => requestListCommand(context, options)));
  json(command('request-explain', 'explain why a node request is waiting: every pool\'s latest decision, its reason and since when'))
    .argument('<id>', 'node request ID')
    .action(withContext((context, [id], options) => requestExplainCommand(context, id as string, options)));
  json(command('image-list', 'list images uploaded to providers')).action(withContext((context, _args, options) => imageListCommand(context, options)));
  json(command('dib-image-list', 'list images built with diskimage-builder')).action(withContext((context, _args, options) => dibImageListCommand(context, options)));
  json(command('image-status', 'list image pause flags and manual build requests')).action(withContext((context, _args, options) => imageStatusCommand(context, options)));
  json(command('alien-image-list', 'list images Nodepool uploaded that it no longer accounts for'))
    .argument('[provider]', 'only this provider')
    .action(withContext((context, [provider], options) => alienImageListCommand(context, provider as string | undefined, options)));

  command('image-build', 'request a diskimage-builder build of an image')
    .argument('<image>', 'image name')
    .action(withContext((context, [image]) => imageBuildCommand(context, image as string)));
  command('image-pause', 'pause builds and uploads of an image')
    .argument('<image>', 'image name')
    .action(withContext((context, [image]) => imagePauseCommand(context, image as string, true)));
  command('image-unpause', 'resume builds and uploads of an image')
    .argument('<image>', 'image name')
    .action(withContext((context, [image]) => imagePauseCommand(context, image as string, false)));
  command('image-delete', 'delete an image upload from a provider')
    .requiredOption('--provider <provider>', 'provider name')
    .requiredOption('--image <image>', 'image name')
    .requiredOption('--build-id <id>', 'image build ID')
    .requiredOption('--upload-id <id>', 'image upload ID')
    .action(withContext((context, _args, options) => imageDeleteCommand(context, options as { provider: string; image: string; buildId: string; uploadId: string })));
  command('dib-image-delete', 'delete a diskimage-builder build and all its uploads')
    .argument('<id>', 'build ID as dib-image-list shows it (<image>-<build-id>)')
    .action(withContext((context, [id]) => dibImageDeleteCommand(context, id as string)));

  command('delete', 'place a node in the deleting state')
    .argument('<id>', 'node ID')
    .option('--now', 'delete the node here and now, with the provider of this configuration')
    .action(withContext((context, [id], options) => deleteCommand(context, id as string, options)));
  command('hold', 'place a node in the hold state')
    .argument('<id>', 'node ID')
    .action(withContext((context, [id]) => holdCommand(context, id as string)));

  command('info', 'show the ZooKeeper data of a provider')
    .argument('<provider>', 'provider name')
    .action(withContext((context, [provider]) => infoCommand(context, provider as string)));
  command('erase', 'erase the ZooKeeper data of a provider')
    .argument('<provider>', 'provider name')
    .option('--force', 'do not ask first')
    .action(withContext((context, [provider], options) => eraseCommand(context, provider as string, options)));

  command('export-image-data', 'write every image build and upload record to a file (a backup)')
    .argument('<path>', 'the file to write')
    .action(withContext((context, [path]) => exportImageDataCommand(context, path as string)));
  command('import-image-data', 'write image records from an export back to ZooKeeper (stop the builders first)')
    .argument('<path>', 'the file to read')
    .action(withContext((context, [path]) => importImageDataCommand(context, path as string)));

  command('request', 'request nodes as Zuul does; with --wait, take them, list them and return them as used')
    .argument('<label...>', 'the label of each node wanted')
    .option('--wait', 'wait until the request is fulfilled or failed, then take the nodes and return them as used')
    .option('--hold <seconds>', 'keep the nodes in use and locked this long before returning them (implies --wait)', parseSeconds)
    .option('--timeout <seconds>', 'give up connecting and waiting after this long (default: no limit)', parseSeconds)
    .option('--priority <ppp>', 'request priority, three digits, lower is more urgent', parsePriority, '200')
    .option('--tenant <name>', 'the tenant to request the nodes for (its quotas apply)')
    .option('--project <name>', 'the project named in the nodes while they are in use', 'nodepool-cli')
    .action(
      run((options, cmd) => requestCommand(cmd.processedArgs[0] as string[], options as RequestCommandOptions, output)),
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
export async function main(argv: readonly string[], output: Output = consoleOutput, options: MainOptions = {}): Promise<number> {
  let exitCode = 0;
  const program = buildProgram(
    output,
    (code) => {
      exitCode = code;
    },
    options,
  );
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
