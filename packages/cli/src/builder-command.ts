import { rm, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { Builder, ConfigError, createStats, formatIssue, loadSettings, rootLogger } from '@nodepool/core';
import { cliDriverRegistry } from './driver-registry.js';
import { configureDaemonLogging } from './logging.js';
import { consoleOutput, type Output } from './program.js';
import { version } from './version.js';

interface BuilderFlags {
  config?: string;
  secure?: string;
  logconfig?: string;
  pidfile?: string;
  debug?: boolean;
  foreground?: boolean;
  buildWorkers?: number;
  uploadWorkers?: number;
}

function workerCount(value: string): number {
  const count = Number(value);
  if (!Number.isInteger(count) || count < 0) throw new InvalidArgumentError('expected a whole number of workers');
  return count;
}

/**
 * `nodepool-builder`: the original's flags. It never forks; `-d` and `-f` keep it in the
 * foreground as always (`-d` also turns on debug logging). SIGINT and SIGTERM stop it in order:
 * a build in progress is killed and recorded as failed.
 */
export async function builderMain(argv: readonly string[], output: Output = consoleOutput): Promise<number> {
  const program = new Command('nodepool-builder')
    .description('Build diskimages and upload them to the providers of nodepool.yaml.')
    .option('-c, --config <file>', 'path to the configuration file')
    .option('-s, --secure <file>', 'path to the secure file')
    .option('-l, --logconfig <file>', 'path to the logging configuration file')
    .option('-p, --pidfile <file>', 'write the process ID to this file')
    .option('-d, --debug', 'stay in the foreground with debug logging')
    .option('-f, --foreground', 'stay in the foreground')
    .option('--build-workers <n>', 'number of build workers (default 1)', workerCount)
    .option('--upload-workers <n>', 'number of upload workers (default 4)', workerCount)
    .version(`Nodepool version: ${version}`, '--version', 'show the version and exit')
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .exitOverride();
  let flags: BuilderFlags;
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<BuilderFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }

  const settings = loadSettings({
    config: flags.config,
    secure: flags.secure,
    logconfig: flags.logconfig,
    pidfile: flags.pidfile,
    debug: flags.debug,
    foreground: flags.foreground ?? flags.debug,
    builder: { buildWorkers: flags.buildWorkers, uploadWorkers: flags.uploadWorkers },
  });
  await configureDaemonLogging(settings);
  const log = rootLogger();
  const configFile = resolve(settings.config);
  const builder = new Builder({
    configFile,
    secureFile: settings.secure ? resolve(settings.secure) : undefined,
    drivers: cliDriverRegistry(configFile),
    stats: createStats(settings.statsd),
    version,
    buildWorkers: settings.builder.buildWorkers,
    uploadWorkers: settings.builder.uploadWorkers,
    timings: builderIntervals(settings.builder.intervals),
  });
  // Listen before starting: a signal during start-up (or just after the pid file appears)
  // still stops the builder in order instead of killing it outright.
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
    await builder.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues) output.err(formatIssue(issue));
      output.err('nodepool-builder: the configuration is not valid');
    } else {
      output.err(`nodepool-builder: ${error instanceof Error ? error.message : String(error)}`);
    }
    await builder.stop().catch(() => undefined);
    return 1;
  }
  if (settings.pidfile) await writeFile(settings.pidfile, `${process.pid}\n`);
  await stopRequested;
  await builder.stop();
  if (settings.pidfile) await rm(settings.pidfile, { force: true });
  return 0;
}

/** `build,upload,cleanup` milliseconds (the `builder.intervals` setting); any left out keeps its default. */
function builderIntervals(value: string | null): { buildIntervalMs?: number; uploadIntervalMs?: number; cleanupIntervalMs?: number } {
  if (!value) return {};
  const [build, upload, cleanup] = value.split(',').map(Number);
  const valid = (ms: number | undefined): ms is number => ms !== undefined && Number.isFinite(ms) && ms > 0;
  return {
    ...(valid(build) ? { buildIntervalMs: build } : {}),
    ...(valid(upload) ? { uploadIntervalMs: upload } : {}),
    ...(valid(cleanup) ? { cleanupIntervalMs: cleanup } : {}),
  };
}
