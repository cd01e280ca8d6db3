import { isDeepStrictEqual } from 'node:util';
import { isMapping } from '../config/schema.js';

/** A setting whose value a reload changes; `undefined` stands for "not set". */
export interface SettingChange {
  readonly key: string;
  readonly old: unknown;
  readonly new: unknown;
}

/** An entry (provider, pool, label, diskimage, host, …) a reload adds, removes or changes. */
export interface EntryChange {
  readonly action: 'add' | 'remove' | 'change';
  /** What it is, from the list it sits in: `provider`, `pool`, `label`, `diskimage`, `node`, … */
  readonly kind: string;
  readonly name: string;
  /** For a changed entry: its own settings that changed (limits, min-ready, …). */
  readonly settings: readonly SettingChange[];
  /** For a changed entry: entries inside it that changed. */
  readonly entries: readonly EntryChange[];
}

/** Every difference between two configuration files, as written (top level first). */
export interface ConfigDiff {
  readonly settings: readonly SettingChange[];
  readonly entries: readonly EntryChange[];
}

/** The kind of entry a list under `key` holds. */
const KINDS: Readonly<Record<string, string>> = {
  providers: 'provider',
  pools: 'pool',
  labels: 'label',
  diskimages: 'diskimage',
  'cloud-images': 'cloud-image',
  nodes: 'node',
  'tenant-resource-limits': 'tenant',
  'zookeeper-servers': 'zookeeper-server',
};

/** The key naming the entries of a list, if every entry has a distinct one. */
function entryNameKey(list: readonly unknown[]): string | undefined {
  for (const key of ['name', 'tenant-name', 'host']) {
    const names = list.map((item) => (isMapping(item) && typeof item[key] === 'string' ? item[key] : undefined));
    if (names.length > 0 && names.every((name) => name !== undefined) && new Set(names).size === names.length) return key;
  }
  return undefined;
}

/** A list of named mappings as a map by name, or undefined for any other list. */
function named(value: unknown, key: string): Map<string, Record<string, unknown>> | undefined {
  if (!Array.isArray(value) || !(key in KINDS)) return undefined;
  if (value.length === 0) return new Map();
  const nameKey = entryNameKey(value);
  if (!nameKey) return undefined;
  return new Map(value.map((item) => [String((item as Record<string, unknown>)[nameKey]), item as Record<string, unknown>]));
}

/**
 * Compares two mappings as written: keys holding lists of named entries (providers, pools,
 * labels, …) are matched by name, so a reordering is no change and each entry is compared on
 * its own; anything else is compared as a value.
 */
export function diffMappings(before: Readonly<Record<string, unknown>>, after: Readonly<Record<string, unknown>>): ConfigDiff {
  const settings: SettingChange[] = [];
  const entries: EntryChange[] = [];
  const keys = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  for (const key of keys) {
    const old = before[key];
    const now = after[key];
    if (isDeepStrictEqual(old, now)) continue;
    const oldEntries = old === undefined ? new Map() : named(old, key);
    const newEntries = now === undefined ? new Map() : named(now, key);
    if (oldEntries && newEntries && key in KINDS) {
      entries.push(...diffEntries(KINDS[key]!, oldEntries, newEntries));
    } else {
      settings.push({ key, old, new: now });
    }
  }
  return { settings, entries };
}

function diffEntries(kind: string, before: Map<string, Record<string, unknown>>, after: Map<string, Record<string, unknown>>): EntryChange[] {
  const changes: EntryChange[] = [];
  for (const [name, entry] of before) {
    const now = after.get(name);
    if (!now) changes.push({ action: 'remove', kind, name, settings: [], entries: [] });
    else if (!isDeepStrictEqual(entry, now)) changes.push({ action: 'change', kind, name, ...diffMappings(entry, now) });
  }
  for (const name of after.keys()) if (!before.has(name)) changes.push({ action: 'add', kind, name, settings: [], entries: [] });
  return changes;
}

/** Whether the diff holds any change at all. */
export function isEmptyDiff(diff: ConfigDiff): boolean {
  return diff.settings.length === 0 && diff.entries.length === 0;
}

/** The number of top-level settings and entries changed. */
export function countChanges(diff: ConfigDiff): number {
  return diff.settings.length + diff.entries.length;
}
