import { resolve } from 'node:path';
import { createStats, Launcher, loadSettings } from '@nodepool/core';
import { daemonProgram, readDaemonFlags, runDaemon, type DaemonFlags } from './daemon.js';
import { cliDriverRegistry } from './driver-registry.js';
import { configureDaemonLogging } from './logging.js';
import { consoleOutput, type Output } from './program.js';
import { version } from './version.js';

interface LauncherFlags extends DaemonFlags {
  config: string;
  webapp: boolean;
}

/**
 * `nodepool-launcher`: the original's flags. It never forks; `-d` and `-f` are accepted and keep
 * it in the foreground as always (`-d` also turns on debug logging). SIGINT and SIGTERM both stop
 * it in an orderly way.
 */
export async function launcherMain(argv: readonly string[], output: Output = consoleOutput): Promise<number> {
  const program = daemonProgram('nodepool-launcher', 'Serve Zuul node requests from the providers of nodepool.yaml.', output, (command) =>
    command.option('--no-webapp', 'do not serve the web API'),
  );
  const flags = readDaemonFlags<LauncherFlags>(program, argv);
  if (typeof flags === 'number') return flags;

  const settings = loadSettings({ config: flags.config, secure: flags.secure, logconfig: flags.logconfig, pidfile: flags.pidfile, debug: flags.debug, foreground: flags.foreground ?? flags.debug });
  await configureDaemonLogging(settings);
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
  return runDaemon('nodepool-launcher', launcher, { pidfile: settings.pidfile, output });
}
