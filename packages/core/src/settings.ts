import convict from 'convict';

/**
 * Process settings of the daemons and the CLI (not nodepool.yaml): file locations, logging,
 * statsd, web overrides. Defaults, then environment variables, then command-line flags.
 * Statsd is read from `STATSD_HOST`, `STATSD_PORT` and `STATSD_PREFIX`, as the original does.
 */
const schema = {
  config: {
    doc: 'The nodepool.yaml to load.',
    format: String,
    default: '/etc/nodepool/nodepool.yaml',
    env: 'NODEPOOL_CONFIG',
  },
  secure: {
    doc: 'The secure file: ZooKeeper servers and TLS, diskimage env-vars.',
    format: String,
    default: null as string | null,
    nullable: true,
    env: 'NODEPOOL_SECURE',
  },
  logconfig: {
    doc: 'A logging configuration file (JSON: level, file).',
    format: String,
    default: null as string | null,
    nullable: true,
    env: 'NODEPOOL_LOGCONFIG',
  },
  pidfile: {
    doc: 'Where a daemon writes its process ID.',
    format: String,
    default: null as string | null,
    nullable: true,
    env: 'NODEPOOL_PIDFILE',
  },
  foreground: {
    doc: 'Stay in the foreground (the daemons never fork; kept for compatibility with -d/-f).',
    format: Boolean,
    default: false,
  },
  debug: {
    doc: 'Log at debug level.',
    format: Boolean,
    default: false,
    env: 'NODEPOOL_DEBUG',
  },
  statsd: {
    host: { doc: 'statsd host; statistics are off when unset.', format: String, default: null as string | null, nullable: true, env: 'STATSD_HOST' },
    port: { doc: 'statsd port.', format: 'port', default: 8125, env: 'STATSD_PORT' },
    prefix: { doc: 'Prefix of every metric name.', format: String, default: null as string | null, nullable: true, env: 'STATSD_PREFIX' },
  },
  builder: {
    buildWorkers: { doc: 'nodepool-builder: build workers (--build-workers).', format: 'nat', default: 1 },
    uploadWorkers: { doc: 'nodepool-builder: upload workers (--upload-workers).', format: 'nat', default: 4 },
    intervals: {
      doc: 'nodepool-builder: milliseconds between build, upload and cleanup passes, "build,upload,cleanup" (tests and demos); unset: 10 s, 10 s, 60 s as the original.',
      format: String,
      default: null as string | null,
      nullable: true,
      env: 'NODEPOOL_BUILDER_INTERVALS',
    },
  },
  web: {
    listenAddress: { doc: 'Overrides webapp.listen_address.', format: String, default: null as string | null, nullable: true, env: 'NODEPOOL_WEB_LISTEN_ADDRESS' },
    port: { doc: 'Overrides webapp.port.', format: 'port', default: null as number | null, nullable: true, env: 'NODEPOOL_WEB_PORT' },
  },
};

export interface Settings {
  config: string;
  secure: string | null;
  logconfig: string | null;
  pidfile: string | null;
  foreground: boolean;
  debug: boolean;
  statsd: { host: string | null; port: number; prefix: string | null };
  builder: { buildWorkers: number; uploadWorkers: number; intervals: string | null };
  web: { listenAddress: string | null; port: number | null };
}

type DeepPartial<T> = { [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> | undefined : T[K] | undefined };

/**
 * Reads the settings: defaults, then `env`, then `overrides` (command-line flags; undefined
 * values are ignored). Throws with every invalid value named.
 */
export function loadSettings(overrides: DeepPartial<Settings> = {}, env: NodeJS.ProcessEnv = process.env): Settings {
  const settings = convict(schema, { env, args: [] });
  settings.load(dropUndefined(overrides));
  settings.validate({ allowed: 'strict' });
  return settings.getProperties() as Settings;
}

function dropUndefined(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .map(([key, item]) => [key, item !== null && typeof item === 'object' && !Array.isArray(item) ? dropUndefined(item as Record<string, unknown>) : item]),
  );
}
