import winston from 'winston';

/** The logger every part of core takes: winston's, with fields kept apart from the message. */
export type Logger = winston.Logger;

let root: winston.Logger | undefined;

/**
 * The process-wide root logger. Daemons replace it with `configureLogging`; until then it logs
 * to stderr at `NODEPOOL_LOG_LEVEL` (default `info`).
 */
export function rootLogger(): Logger {
  root ??= winston.createLogger({
    level: process.env.NODEPOOL_LOG_LEVEL ?? 'info',
    format: lineFormat(),
    transports: [new winston.transports.Console({ stderrLevels: ['error', 'warn', 'info', 'debug', 'verbose', 'silly'] })],
  });
  return root;
}

/** Replaces the root logger (daemons do this once their settings are read). */
export function configureLogging(logger: Logger): void {
  root = logger;
}

/** A child logger named after a component, e.g. `nodepool.zk.NodeCache`. */
export function getLogger(name: string, fields: Record<string, unknown> = {}): Logger {
  return rootLogger().child({ logger: name, ...fields });
}

/** One line per entry: `2026-11-28T10:00:00.000Z INFO nodepool.Launcher: message {fields}`. */
export function lineFormat(): winston.Logform.Format {
  return winston.format.combine(winston.format.timestamp(), winston.format.splat(), consoleLine);
}

const consoleLine = winston.format.printf((info) => {
  const { level, message, timestamp, logger, ...fields } = info as Record<string, unknown>;
  const extra = Object.keys(fields).filter((key) => typeof key === 'string');
  const rendered = extra.length > 0 ? ` ${JSON.stringify(Object.fromEntries(extra.map((key) => [key, fields[key]])))}` : '';
  return `${String(timestamp)} ${String(level).toUpperCase()} ${logger ? `${String(logger)}: ` : ''}${String(message)}${rendered}`;
});
