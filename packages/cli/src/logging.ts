import { readFile } from 'node:fs/promises';
import winston from 'winston';
import { configureLogging, lineFormat, type Settings } from '@nodepool/core';

/**
 * Daemon logging: to stderr at info (debug with `-d`/`--debug`), or as a logging configuration
 * file (`-l`, JSON: `{"level": "debug", "file": "/var/log/nodepool/launcher.log"}`) says.
 */
export function configureDaemonLogging(settings: Pick<Settings, 'logconfig' | 'debug'>): Promise<void> {
  return configureProcessLogging(settings, 'info');
}

/**
 * `nodepool` command logging: warnings and errors only, on stderr, so that stdout holds nothing
 * but the command's output (`nodepool list --json | jq .`); `--debug` shows everything, `-l` as
 * for the daemons. Differs from Nodepool: its commands log at info.
 */
export function configureCommandLogging(options: { debug?: boolean; logconfig?: string }): Promise<void> {
  return configureProcessLogging({ debug: options.debug ?? false, logconfig: options.logconfig ?? null }, 'warn');
}

async function configureProcessLogging(settings: Pick<Settings, 'logconfig' | 'debug'>, defaultLevel: string): Promise<void> {
  let level = settings.debug ? 'debug' : (process.env.NODEPOOL_LOG_LEVEL ?? defaultLevel);
  let file: string | undefined;
  if (settings.logconfig) {
    const parsed = JSON.parse(await readFile(settings.logconfig, 'utf8')) as { level?: string; file?: string };
    level = parsed.level ?? level;
    file = parsed.file;
  }
  const transport = file ? new winston.transports.File({ filename: file }) : new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] });
  configureLogging(winston.createLogger({ level, format: lineFormat(), transports: [transport] }));
}
