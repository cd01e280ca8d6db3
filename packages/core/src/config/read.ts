/**
 * Readers for the values of a provider entry that passed its driver's schema, shared by every
 * driver's `parseConfig`. By then core has turned YAML integers into plain numbers, so what is
 * left is to read the data as Nodepool's Python does: a boolean is an integer, `float()` takes
 * numeric strings, and `dict.get()` gives None for a missing key.
 */
import type { ConfigContext } from '../driver/driver.js';
import type { ConfigPool, ProviderConfig } from '../driver/provider-config.js';

/** One mapping of a provider entry (the provider itself, a pool, a label, an image). */
export type ConfigEntry = Readonly<Record<string, unknown>>;

/**
 * The mappings of a list-of-mappings key (`pools`, `labels`, `cloud-images`). An absent key
 * reads as an empty list, so optional lists need no special case.
 */
export function readEntries(value: unknown): ConfigEntry[] {
  return Array.isArray(value) ? (value as ConfigEntry[]) : [];
}

/**
 * The mappings of the list-of-mappings key `key` of `entry` (`cloud-images`, `diskimages`),
 * each built by `parse`, by their `name`; a later entry replaces an earlier one of the same
 * name. Some of Nodepool's schemas let an entry without a name through, and its loader then
 * fails with a KeyError: such an entry is reported at its `name` (which stops a daemon from
 * loading the file) and left out.
 */
export function readEntriesByName<T>(
  entry: ConfigEntry,
  key: string,
  context: Pick<ConfigContext, 'report'>,
  parse: (item: ConfigEntry) => T,
): Map<string, T> {
  const byName = new Map<string, T>();
  readEntries(entry[key]).forEach((item, index) => {
    if (typeof item.name !== 'string') context.report([key, index, 'name'], 'required key not provided');
    else byName.set(item.name, parse(item));
  });
  return byName;
}

/**
 * A value the schema checked as an integer (`schema.int`). Python's bool is an int, so
 * `true` and `false` read as 1 and 0. Anything else (an absent key above all) is
 * `undefined`, or `fallback` when one is given.
 */
export function readInteger(value: unknown): number | undefined;
export function readInteger(value: unknown, fallback: number): number;
export function readInteger(value: unknown, fallback?: number): number | undefined {
  if (typeof value === 'number') return value;
  // bigint is how the schema sees a YAML integer; core converts them before drivers read, but a
  // reader should not care which side of that conversion it runs on.
  if (typeof value === 'boolean' || typeof value === 'bigint') return Number(value);
  return fallback;
}

/**
 * A `{str: int}` mapping such as `max-resources`, with each value read by `readInteger`
 * (booleans as 0 and 1). An absent key reads as an empty mapping.
 */
export function readIntegerMap(value: unknown): Record<string, number> {
  return Object.fromEntries(Object.entries((value as ConfigEntry | undefined) ?? {}).map(([key, item]) => [key, readInteger(item, 0)]));
}

const INFINITY = /^[-+]?inf(?:inity)?$/;

/**
 * Python's `float()` of a value the schema checked with `schema.coerceFloat` (voluptuous
 * `Coerce(float)`): a number is itself, a boolean 0 or 1, and a string is parsed as Python
 * parses it, white space around it, underscores between digits, and `inf`, `infinity` and
 * `nan` in any case and with either sign included. Anything else (an absent key above all) is
 * `undefined`, or `fallback` when one is given. It reads `schema.number` values (an int or a
 * float, never a string) too.
 */
export function readFloat(value: unknown): number | undefined;
export function readFloat(value: unknown, fallback: number): number;
export function readFloat(value: unknown, fallback?: number): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'boolean' || typeof value === 'bigint') return Number(value);
  if (typeof value !== 'string') return fallback;
  const text = value.trim().replaceAll('_', '').toLowerCase();
  // Number() knows `Infinity` but not Python's spellings; it does read any `nan` as NaN.
  if (INFINITY.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  return Number(text);
}

/** A value the schema checked as a string; anything else (an absent key above all) is `undefined`. */
export function readString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * The value, or `null` when the key is absent: Nodepool's `dict.get(key)`, for settings whose
 * "not set" is a value of its own (None) rather than a default.
 */
export function readOptional<T>(value: unknown): T | null {
  return value === undefined ? null : (value as T);
}

/** The port Nodepool connects on when an image or node sets none: 5986 for `winrm`, else 22 (ssh). */
export function defaultConnectionPort(connectionType: string): number {
  return connectionType === 'winrm' ? 5986 : 22;
}

/** How to connect to nodes of an image or host entry. */
export interface ConnectionSettings {
  /** `connection-type`; default `ssh`. */
  readonly connectionType: string;
  /** `connection-port`; default `defaultConnectionPort(connectionType)`. */
  readonly connectionPort: number;
}

/** The `connection-type` and `connection-port` of an entry, with Nodepool's defaults. */
export function readConnection(entry: ConfigEntry): ConnectionSettings {
  const connectionType = readString(entry['connection-type']) ?? 'ssh';
  return { connectionType, connectionPort: readInteger(entry['connection-port']) ?? defaultConnectionPort(connectionType) };
}

/** The fields every provider config has that come straight from `commonProviderKeys`. */
export type CommonProviderFields = Pick<ProviderConfig, 'name' | 'maxConcurrency' | 'priority'>;

/**
 * `name`, `max-concurrency` (default -1: no limit) and `priority` (undefined: the pools' own,
 * else 100) of a provider entry, as every driver reads them.
 */
export function readCommonProviderFields(entry: ConfigEntry): CommonProviderFields {
  return {
    // Required by commonProviderKeys, so always a string here.
    name: entry.name as string,
    maxConcurrency: readInteger(entry['max-concurrency'], -1),
    priority: readInteger(entry.priority),
  };
}

/** The fields every pool config has that come straight from `commonPoolKeys` (besides its name). */
export type CommonPoolFields = Pick<ConfigPool, 'maxServers' | 'nodeAttributes' | 'priority'>;

/**
 * `max-servers`, `node-attributes` (default null) and `priority` (undefined: the provider's)
 * of a pool entry. `defaultMaxServers` is what a pool without `max-servers` gets: Infinity
 * unless the driver lets pools inherit a provider-wide limit.
 */
export function readCommonPoolFields(entry: ConfigEntry, defaultMaxServers = Infinity): CommonPoolFields {
  return {
    maxServers: readInteger(entry['max-servers'], defaultMaxServers),
    nodeAttributes: readOptional(entry['node-attributes']),
    priority: readInteger(entry.priority),
  };
}
