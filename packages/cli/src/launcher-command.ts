import { writeFile, rm } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Command, CommanderError } from 'commander';
import { ConfigError, createStats, formatIssue, Launcher, loadSettings, rootLogger } from '@nodepool/core';
import { cliDriverRegistry } from './driver-registry.js';
import { configureDaemonLogging } from './logging.js';
import { consoleOutput, type Output } from './program.js';
import { version } from './version.js';

interface LauncherFlags {
  config: string;
  secure?: string;
  logconfig?: string;
  pidfile?: string;
  debug?: boolean;
  foreground?: boolean;
  webapp: boolean;
}

/**
 * `nodepool-launcher`: the original's flags. It never forks; `-d` and `-f` are accepted and keep
 * it in the foreground as always (`-d` also turns on debug logging). SIGINT and SIGTERM both stop
 * it in an orderly way.
 */
export async function launcherMain(argv: readonly string[], output: Output = consoleOutput): Promise<number> {
  const program = new Command('nodepool-launcher')
    .description('Serve Zuul node requests from the providers of nodepool.yaml.')
    .option('-c, --config <file>', 'path to the configuration file')
    .option('-s, --secure <file>', 'path to the secure file')
    .option('-l, --logconfig <file>', 'path to the logging configuration file')
    .option('-p, --pidfile <file>', 'write the process ID to this file')
    .option('-d, --debug', 'stay in the foreground with debug logging')
    .option('-f, --foreground', 'stay in the foreground')
    .option('--no-webapp', 'do not serve the web API')
    .version(`Nodepool version: ${version}`, '--version', 'show the version and exit')
    .configureOutput({ writeOut: (text) => output.out(text.trimEnd()), writeErr: (text) => output.err(text.trimEnd()) })
    .exitOverride();
  let flags: LauncherFlags;
  try {
    program.parse([...argv], { from: 'user' });
    flags = program.opts<LauncherFlags>();
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode;
    throw error;
  }

  const settings = loadSettings({ config: flags.config, secure: flags.secure, logconfig: flags.logconfig, pidfile: flags.pidfile, debug: flags.debug, foreground: flags.foreground ?? flags.debug });
  await configureDaemonLogging(settings);
  const log = rootLogger();
  const configFile = resolve(settings.config);
  const launcher = new Launcher({
    configFile,
    secureFile: settings.secure ? resolve(settings.secure) : undefined,
    drivers: cliDriverRegistry(configFile),
    stats: createStats(settings.statsd),
    version,
    // The web API: `webapp:` of the configuration, NODEPOOL_WEB_PORT / _LISTEN_ADDRESS override it.
    webapp: flags.webapp ? { port: settings.web.port ?? undefined, listenAddress: settings.web.listenAddress ?? undefined } : undefined,
  });
  // Listen before starting: a signal during start-up (or just after the pid file appears)
  // still stops the launcher in order instead of killing it outright.
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
    await launcher.start();
  } catch (error) {
    if (error instanceof ConfigError) {
      for (const issue of error.issues) output.err(formatIssue(issue));
      output.err('nodepool-launcher: the configuration is not valid');
    } else {
      output.err(`nodepool-launcher: ${error instanceof Error ? error.message : String(error)}`);
    }
    await launcher.stop().catch(() => undefined);
    return 1;
  }
  if (settings.pidfile) await writeFile(settings.pidfile, `${process.pid}\n`);

  await stopRequested;
  await launcher.stop();
  if (settings.pidfile) await rm(settings.pidfile, { force: true });
  return 0;
}
