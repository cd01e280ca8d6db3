import { execFile } from 'node:child_process';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** The repository root (this file is packages/all/test/helpers/). */
export const repositoryRoot = join(import.meta.dirname, '..', '..', '..', '..');

/** npm with no questions, no network and no install scripts, whatever the caller's environment. */
const npmFlags = ['--offline', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error'];

/** An entry of package-lock.json's `packages` map. */
interface LockEntry {
  version?: string;
  resolved?: string;
  integrity?: string;
  link?: boolean;
  dev?: boolean;
  devOptional?: boolean;
  optional?: boolean;
  peer?: boolean;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  [key: string]: unknown;
}

/** Packs workspace packages (`@nodepool/cli` …) into `dir`; resolves with each one's tarball path. */
export async function packWorkspaces(names: readonly string[], dir: string): Promise<Map<string, string>> {
  await run('npm', ['pack', '--silent', '--pack-destination', dir, ...names.flatMap((name) => ['-w', name])], { cwd: repositoryRoot });
  const files = await readdir(dir);
  const tarballs = new Map<string, string>();
  for (const name of names) {
    const file = files.find((candidate) => candidate.startsWith(`${name.slice(1).replace('/', '-')}-`) && candidate.endsWith('.tgz'));
    if (!file) throw new Error(`npm pack left no tarball for ${name} in ${dir}`);
    tarballs.set(name, join(dir, file));
  }
  return tarballs;
}

/**
 * Installs `wanted` (workspace package names) into the folder `project` from their tarballs,
 * the way an operator's `npm install` would lay them out, but with no registry: npm is given a
 * lockfile, so it resolves nothing and fetches every third-party package by its integrity from
 * npm's cache. That lockfile's third-party entries are copied from the repository's
 * package-lock.json (which `npm ci` in the repository installed, filling the cache, on a fresh CI
 * machine too: npm ci caches tarballs, not the registry documents a resolving install needs).
 * Only what the wanted packages declare is installed: a package that imports something it does
 * not declare fails here as it would for an operator. Other workspace packages they depend on
 * come from `tarballs` too.
 */
export async function installFromTarballs(project: string, wanted: readonly string[], tarballs: ReadonlyMap<string, string>): Promise<void> {
  const repoLock = JSON.parse(await readFile(join(repositoryRoot, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const workspaceDirs = new Map<string, string>();
  for (const [path, entry] of Object.entries(repoLock.packages)) {
    if (path.startsWith('node_modules/@nodepool/') && entry.link && typeof entry.resolved === 'string') workspaceDirs.set(path.slice('node_modules/'.length), entry.resolved);
  }

  const fileSpec = (name: string): string => {
    const tarball = tarballs.get(name);
    if (!tarball) throw new Error(`${name} is needed, but no tarball of it was packed`);
    return `file:${relative(project, tarball)}`;
  };
  const packages: Record<string, LockEntry> = {};
  const rootDependencies = Object.fromEntries(wanted.map((name) => [name, fileSpec(name)]));
  packages[''] = { name: 'nodepool-operator', dependencies: rootDependencies };

  /** Repository lockfile path → path in the project's tree (workspaces live under node_modules/@nodepool/). */
  const projectPath = (repoPath: string): string => {
    for (const [name, dir] of workspaceDirs) if (repoPath.startsWith(`${dir}/`)) return `node_modules/${name}/${repoPath.slice(dir.length + 1)}`;
    return repoPath;
  };

  const queue: Array<{ repoPath: string; optional: boolean }> = [];
  const addWorkspace = async (name: string): Promise<void> => {
    const path = `node_modules/${name}`;
    if (packages[path]) return;
    const dir = workspaceDirs.get(name);
    if (!dir) throw new Error(`${name} is not a workspace package`);
    const manifest = JSON.parse(await readFile(join(repositoryRoot, dir, 'package.json'), 'utf8')) as LockEntry;
    packages[path] = {
      version: manifest.version,
      resolved: fileSpec(name),
      license: manifest.license,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      bin: manifest.bin,
      engines: manifest.engines,
    };
    queue.push({ repoPath: dir, optional: false });
  };
  for (const name of wanted) await addWorkspace(name);

  while (queue.length > 0) {
    const { repoPath } = queue.shift()!;
    const entry = repoPath in repoLock.packages ? repoLock.packages[repoPath]! : undefined;
    if (!entry) throw new Error(`${repoPath} is not in the repository's package-lock.json`);
    const edges: Array<[string, boolean]> = [
      ...Object.keys(entry.dependencies ?? {}).map((name): [string, boolean] => [name, false]),
      ...Object.keys(entry.optionalDependencies ?? {}).map((name): [string, boolean] => [name, true]),
      ...Object.keys(entry.peerDependencies ?? {}).map((name): [string, boolean] => [name, entry.peerDependenciesMeta?.[name]?.optional === true]),
    ];
    for (const [name, optional] of edges) {
      if (name.startsWith('@nodepool/')) {
        await addWorkspace(name);
        continue;
      }
      const found = resolveInLock(repoLock.packages, repoPath, name);
      if (!found) {
        if (optional) continue;
        throw new Error(`${repoPath} needs ${name}, which the repository's package-lock.json does not hold`);
      }
      const path = projectPath(found);
      if (packages[path]) continue;
      const { dev: _dev, devOptional: _devOptional, peer: _peer, ...copy } = repoLock.packages[found]!;
      packages[path] = copy;
      queue.push({ repoPath: found, optional });
    }
  }

  await writeFile(join(project, 'package.json'), `${JSON.stringify({ name: 'nodepool-operator', private: true, dependencies: rootDependencies }, null, 2)}\n`);
  await writeFile(join(project, 'package-lock.json'), `${JSON.stringify({ name: 'nodepool-operator', lockfileVersion: 3, requires: true, packages }, null, 2)}\n`);
  await run('npm', ['install', ...npmFlags], { cwd: project, env: npmEnvironment() });
}

/** Where Node would find `name` from the package at `from`, among the lockfile's paths. */
function resolveInLock(packages: Record<string, LockEntry>, from: string, name: string): string | undefined {
  let base = from;
  for (;;) {
    const candidate = base === '' ? `node_modules/${name}` : `${base}/node_modules/${name}`;
    if (candidate in packages && !packages[candidate]!.link) return candidate;
    if (base === '') return undefined;
    const cut = base.lastIndexOf('/node_modules/');
    // A workspace (packages/x) resolves from the repository root next.
    base = cut === -1 ? '' : base.slice(0, cut);
  }
}

/** The caller's environment without what would change how npm installs (npm run sets many npm_ keys). */
function npmEnvironment(): NodeJS.ProcessEnv {
  const environment: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^npm_/i.test(key) && key.toLowerCase() !== 'npm_config_cache') continue;
    environment[key] = value;
  }
  return environment;
}
