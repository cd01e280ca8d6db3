import { rm, writeFile } from 'node:fs/promises';
import { Command, CommanderError } from 'commander';
import { ConfigError, formatIssue, rootLogger } from '@nodepool/core';
import type { Output } from './program.js';
import { version } from './version.js';

/** The flags `nodepool-launcher` and `nodepool-builder` share with the original's daemons. */
export interface DaemonFlags {
  config?: string;
  secure?: string;
  logconfig?: string;
  pidfile?: string;
  debug?: boolean;
  foreground?: boolean;
}

/**
 * The command line of a daemon: the shared flags, then what `addOwnFlags` adds, then
 * `--version`. Help and errors go to `output`; commander never exits the process.
 */
export function daemonProgram(name: string, description: string, output: Output, addOwnFlags: (program: Command) => Command = (program) => program): Command {
  const program = new Command(name)
    .description(description)
    .option('-c, --config <file>', 'path to the configuration file')
    .option('-s, --secure <file>', 'path to the secure file')
    .option('-l, --logconfig <file>', 'path to the logging configuration file')
    .option('-p, --pidfile <file>', 'write the process ID to this file')
    .option('-d, --debug', 'stay in the foreground with debug logging')
    .option('-f, --foreground', 'stay in the foreground');
  return addOwnFlags(program)
    .version(`Nodepool version: ${version}`, '--version', 'show the version and exit')
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .exitOverride();
}

/** The flags of `argv`, or the exit code when commander has answered already (`--help`, `--version`, a bad flag). */
export function readDaemonFlags<Flags extends DaemonFlags>(program: Command, argv: readonly string[]): Flags | number {
  try {
    program.parse([...argv], { from: 'user' });
    return program.opts<Flags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }
}

/** What a daemon runs: the launcher or the builder. */
export interface DaemonService {
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Runs `service` until SIGINT or SIGTERM, then stops it in order: writes the pid file once it has
 * started and removes it after it has stopped. A failed start is printed (every configuration
 * issue, or the error) and answers 1; a clean stop answers 0.
 */
export async function runDaemon(name: string, service: DaemonService, options: { pidfile: string | null | undefined; output: Output }): Promise<number> {
  const { pidfile, output } = options;
  const log = rootLogger();
  // Listen before starting: a signal during start-up (or just after the pid file appears)
  // still stops the service in order instead of killing it outright.
  const stopRequested = new Promise<void>((done) => {
    const onSignal = (signal: string): void => {
      log.info('stopping', { signal });
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      done();
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  try {
    await service.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues) output.err(formatIssue(issue));
      output.err(`${name}: the configuration is not valid`);
    } else {
      output.err(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
    await service.stop().catch(() => undefined);
    return 1;
  }
  if (pidfile) await writeFile(pidfile, `${process.pid}\n`);
  await stopRequested;
  await service.stop();
  if (pidfile) await rm(pidfile, { force: true });
  return 0;
}
