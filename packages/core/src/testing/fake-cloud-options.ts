import { parseArgs, type ParseArgsConfig } from 'node:util';

type ParsedResults<T extends ParseArgsConfig> = ReturnType<typeof parseArgs<T>>;
import { FakeCloudUsageError } from './fake-cloud-server.js';

type FlagConfig = NonNullable<ParseArgsConfig['options']>;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

interface FlagsConfig<Flags extends FlagConfig> {
  args: string[];
  options: Flags & typeof HELP;
  strict: true;
}

/** The flags' values as `parseArgs` types them. */
export type FlagValues<Flags extends FlagConfig> = ParsedResults<FlagsConfig<Flags>>['values'];

/**
 * Reads a fake cloud command's flags (`-h`/`--help` is added); 'help' when asked for it. An
 * unknown or malformed flag throws FakeCloudUsageError, so `runFakeCloudCommand` prints it with
 * the usage and exits 2.
 */
export function readFakeCloudFlags<const Flags extends FlagConfig>(argv: string[], flags: Flags): FlagValues<Flags> | 'help' {
  let values: FlagValues<Flags>;
  try {
    ({ values } = parseArgs<FlagsConfig<Flags>>({ args: argv, options: { ...flags, ...HELP }, strict: true }));
  } catch (error) {
    throw new FakeCloudUsageError((error as Error).message);
  }
  return (values as { help?: boolean }).help ? 'help' : values;
}

/** The flag `--<flag>` as a number >= 0, if given; a FakeCloudUsageError naming the flag otherwise. */
export function numberFlag(values: Readonly<Record<string, unknown>>, flag: string): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text === '' || !Number.isFinite(value) || value < 0) throw new FakeCloudUsageError(`--${flag} must be a number >= 0, not "${String(text)}"`);
  return value;
}

/** The flag `--<flag>` as a port number (0: a free one), if given. */
export function portFlag(values: Readonly<Record<string, unknown>>, flag: string): number | undefined {
  const value = numberFlag(values, flag);
  if (value !== undefined && (!Number.isInteger(value) || value > 65535)) throw new FakeCloudUsageError(`--${flag} must be a port number, not "${String(values[flag])}"`);
  return value;
}

/** `--port`, which every fake cloud command needs. */
export function requiredPortFlag(values: Readonly<Record<string, unknown>>): number {
  const port = portFlag(values, 'port');
  if (port === undefined) throw new FakeCloudUsageError('--port is required (0 for a free port)');
  return port;
}

/** `options` without the keys whose flag was left out, so the fake keeps its defaults for them. */
export function givenOptions<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
