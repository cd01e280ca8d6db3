import { resolve } from 'node:path';
import { InvalidArgumentError } from 'commander';
import { Builder, createStats, loadSettings } from '@nodepool/core';
import { daemonProgram, readDaemonFlags, runDaemon, type DaemonFlags } from './daemon.js';
import { cliDriverRegistry } from './driver-registry.js';
import { configureDaemonLogging } from './logging.js';
import { consoleOutput, type Output } from './program.js';
import { version } from './version.js';

interface BuilderFlags extends DaemonFlags {
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
  const program = daemonProgram('nodepool-builder', 'Build diskimages and upload them to the providers of nodepool.yaml.', output, (command) =>
    command
      .option('--build-workers <n>', 'number of build workers (default 1)', workerCount)
      .option('--upload-workers <n>', 'number of upload workers (default 4)', workerCount),
  );
  const flags = readDaemonFlags<BuilderFlags>(program, argv);
  if (typeof flags === 'number') return flags;

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
  return runDaemon('nodepool-builder', builder, { pidfile: settings.pidfile, output });
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
