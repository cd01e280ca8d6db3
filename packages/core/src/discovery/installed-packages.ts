import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** An installed package as discovery sees it. */
export interface InstalledPackage {
  name: string;
  version: string;
  directory: string;
  /** Driver names the package declares (`"nodepool": {"drivers": [...]}`). */
  drivers: string[];
  manifest: Record<string, unknown>;
}

/** `node_modules` directories Node's resolution would search from `base`, nearest first. */
export function nodeModulesDirs(base: string): string[] {
  const dirs: string[] = [];
  let current = resolve(base);
  for (;;) {
    if (!current.endsWith(`${join('/', 'node_modules')}`)) dirs.push(join(current, 'node_modules'));
    const parent = dirname(current);
    if (parent === current) break;
    current = parent;
  }
  for (const extra of (process.env.NODE_PATH ?? '').split(':').filter(Boolean)) dirs.push(resolve(extra));
  return dirs.filter((dir) => existsSync(dir));
}

export function readPackage(directory: string): InstalledPackage | undefined {
  try {
    const manifest = JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Record<string, unknown>;
    const nodepool = manifest.nodepool as { drivers?: unknown } | undefined;
    const drivers = Array.isArray(nodepool?.drivers) ? nodepool.drivers.filter((d): d is string => typeof d === 'string') : [];
    return {
      name: typeof manifest.name === 'string' ? manifest.name : directory,
      version: typeof manifest.version === 'string' ? manifest.version : '0.0.0',
      directory,
      drivers,
      manifest,
    };
  } catch {
    return undefined;
  }
}

/** The package `name` as Node would find it from any of `bases` (first hit wins). */
export function findPackage(name: string, bases: readonly string[]): InstalledPackage | undefined {
  for (const base of bases) {
    for (const dir of nodeModulesDirs(base)) {
      const found = readPackage(join(dir, name));
      if (found) return found;
    }
  }
  return undefined;
}

/** Every installed package (scoped ones included) visible from `bases` that declares a driver. */
export function findDriverPackages(bases: readonly string[]): InstalledPackage[] {
  const seen = new Map<string, InstalledPackage>();
  for (const base of bases) {
    for (const dir of nodeModulesDirs(base)) {
      for (const entry of safeReaddir(dir)) {
        const names = entry.startsWith('@') ? safeReaddir(join(dir, entry)).map((child) => `${entry}/${child}`) : [entry];
        for (const name of names) {
          if (seen.has(name) || name.startsWith('.')) continue;
          const found = readPackage(join(dir, name));
          if (found && found.drivers.length > 0) seen.set(name, found);
        }
      }
    }
  }
  return [...seen.values()];
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/**
 * The file `import(packageName)` would load, following the package's `exports` map with the
 * conditions this process runs with (`--conditions`), then `node`, `import`, `default`.
 */
export function packageEntry(pkg: InstalledPackage): string {
  const exportsField = pkg.manifest.exports;
  if (exportsField !== undefined) {
    const target = resolveExportsTarget(rootExport(exportsField), activeConditions());
    if (target) return join(pkg.directory, target);
    throw new Error(`${pkg.name} has an "exports" map without an entry for the conditions ${[...activeConditions()].join(', ')}`);
  }
  const main = typeof pkg.manifest.main === 'string' ? pkg.manifest.main : 'index.js';
  return join(pkg.directory, main);
}

function rootExport(exportsField: unknown): unknown {
  if (exportsField !== null && typeof exportsField === 'object' && !Array.isArray(exportsField)) {
    const keys = Object.keys(exportsField);
    if (keys.some((key) => key.startsWith('.'))) return (exportsField as Record<string, unknown>)['.'];
  }
  return exportsField;
}

/** Node's conditional-exports walk: the first key (in the map's own order) that is active. */
function resolveExportsTarget(target: unknown, conditions: ReadonlySet<string>): string | undefined {
  if (typeof target === 'string') return target;
  if (Array.isArray(target)) {
    for (const item of target) {
      const found = resolveExportsTarget(item, conditions);
      if (found) return found;
    }
    return undefined;
  }
  if (target !== null && typeof target === 'object') {
    for (const [key, value] of Object.entries(target)) {
      if (conditions.has(key)) {
        const found = resolveExportsTarget(value, conditions);
        if (found) return found;
      }
    }
  }
  return undefined;
}

function activeConditions(): Set<string> {
  const conditions = new Set<string>();
  const args = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const inline = /^(?:--conditions|-C)=(.+)$/.exec(arg);
    if (inline) conditions.add(inline[1]!);
    else if ((arg === '--conditions' || arg === '-C') && args[i + 1]) conditions.add(args[++i]!);
  }
  for (const condition of ['node', 'import', 'default']) conditions.add(condition);
  return conditions;
}
