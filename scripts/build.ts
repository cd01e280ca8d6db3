/**
 * `npm run build`: builds the packages whose inputs changed since their last build, and links
 * the packages' commands. A package is rebuilt when the hash of its inputs differs from the one
 * recorded after its last successful build, or an output its package.json promises is missing.
 * Its inputs: every file under src/, its package.json, and the tsup and TypeScript configurations
 * (its own and the shared ones). A dependency's changes do not rebuild a dependent: the bundle
 * imports the dependency at run time, and declarations refer to its types by import. (Were a
 * declaration to spell out a type inferred from a dependency, it would be refreshed with the
 * package's next change; `--force` rebuilds everything, as before publishing.) A person sees a
 * line per step; a failing build's full output is printed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import { isDeepStrictEqual } from 'node:util';
import { join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const stampDir = join(root, 'node_modules', '.cache', 'nodepool-build');
const sharedInputs = ['tsup.config.base.ts', 'tsconfig.base.json'].map((file) => join(root, file));
const force = process.argv.includes('--force');

interface Workspace {
  name: string;
  dir: string;
  manifest: Manifest;
  /** Workspace packages it imports at run time (dependencies and peer dependencies): built first. */
  deps: string[];
}

interface Manifest {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  bin?: Record<string, string>;
  exports?: Record<string, Record<string, string>>;
}

const started = Date.now();
const workspaces = await readWorkspaces();
const byName = new Map(workspaces.map((workspace) => [workspace.name, workspace]));
await mkdir(stampDir, { recursive: true });

const failed = new Set<string>();
const done = new Map<string, Promise<void>>();
let built = 0;
// Builds running, and those waiting for a core (see slot()).
let running = 0;
const waiting: Array<() => void> = [];

function settle(workspace: Workspace): Promise<void> {
  let result = done.get(workspace.name);
  if (!result) {
    result = (async () => {
      await Promise.all(workspace.deps.map((dep) => settle(byName.get(dep)!)));
      if (workspace.deps.some((dep) => failed.has(dep))) {
        failed.add(workspace.name);
        return;
      }
      const inputs = await inputHashes(workspace);
      const stampFile = join(stampDir, `${workspace.name.replace('/', '+')}.json`);
      const recorded = await readFile(stampFile, 'utf8').then((text) => (JSON.parse(text) as { inputs: Record<string, string> }).inputs, () => undefined);
      if (!force && recorded && isDeepStrictEqual(recorded, inputs) && outputsPresent(workspace)) return;
      await slot(() => buildOne(workspace, force ? 'forced' : describeChanges(recorded, inputs)));
      if (failed.has(workspace.name)) return;
      await writeFile(stampFile, `${JSON.stringify({ inputs }, null, 1)}\n`);
    })();
    done.set(workspace.name, result);
  }
  return result;
}

await Promise.all(workspaces.map(settle));

if (failed.size > 0) {
  console.error(`build: failed (${[...failed].join(', ')})`);
  process.exit(1);
}
const linked = await linkCommands();
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (built === 0) console.log(`build: all ${workspaces.length} packages up to date${linked ? ', commands linked' : ''} (${seconds} s)`);
else console.log(`build: ${built} of ${workspaces.length} packages built${linked ? ', commands linked' : ''} (${seconds} s)`);

// ---- helpers ---------------------------------------------------------------------------------

async function readWorkspaces(): Promise<Workspace[]> {
  const packagesDir = join(root, 'packages');
  const found: Workspace[] = [];
  for (const entry of (await readdir(packagesDir)).sort()) {
    const dir = join(packagesDir, entry);
    const manifest = await readFile(join(dir, 'package.json'), 'utf8').then((text) => JSON.parse(text) as Manifest, () => undefined);
    if (!manifest?.scripts?.build) continue;
    found.push({ name: manifest.name, dir, manifest, deps: [] });
  }
  const names = new Set(found.map((workspace) => workspace.name));
  for (const workspace of found) {
    workspace.deps = Object.keys({ ...workspace.manifest.dependencies, ...workspace.manifest.peerDependencies }).filter((name) => names.has(name));
  }
  return found;
}

/** Files under `dir`, recursively, sorted; missing directories have none. */
async function filesUnder(dir: string, keep: (file: string) => boolean = () => true): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter(keep)
    .sort();
}

/** Each input file's content hash, by its path from the repository root. */
async function inputHashes(workspace: Workspace): Promise<Record<string, string>> {
  const own = ['package.json', 'tsup.config.ts', 'tsconfig.json'].map((file) => join(workspace.dir, file));
  const files = [...sharedInputs, ...own, ...(await filesUnder(join(workspace.dir, 'src')))];
  const hashes: Record<string, string> = {};
  for (const file of files) {
    const content = await readFile(file).catch(() => undefined);
    if (content !== undefined) hashes[relative(root, file)] = createHash('sha256').update(content).digest('hex');
  }
  return hashes;
}

/** What differs between two sets of input hashes, for a person: "src/a.ts and 3 more". */
function describeChanges(before: Record<string, string> | undefined, after: Record<string, string>): string {
  if (!before) return 'first build';
  const changed = [...new Set([...Object.keys(before), ...Object.keys(after)])].filter((file) => before[file] !== after[file]).sort();
  if (changed.length === 0) return 'outputs missing';
  return `${changed[0]}${changed.length > 1 ? ` and ${changed.length - 1} more` : ''} changed`;
}

/** Every file the package.json promises: export targets (not `source`) and commands. */
function outputsPresent(workspace: Workspace): boolean {
  const targets = [
    ...Object.values(workspace.manifest.exports ?? {}).flatMap((conditions) => Object.entries(conditions).filter(([condition]) => condition !== 'source').map(([, target]) => target)),
    ...Object.values(workspace.manifest.bin ?? {}),
  ];
  return targets.every((target) => existsSync(join(workspace.dir, target)));
}

/** At most as many builds at once as the machine has cores. */
async function slot(task: () => Promise<void>): Promise<void> {
  if (running >= availableParallelism()) await new Promise<void>((wake) => waiting.push(wake));
  running += 1;
  try {
    await task();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

async function buildOne(workspace: Workspace, reason: string): Promise<void> {
  const begun = Date.now();
  const child = spawn('npm', ['run', '--silent', 'build'], { cwd: workspace.dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const code = await new Promise<number | null>((resolveExit) => {
    child.on('error', (error) => {
      output += `${error.message}\n`;
      resolveExit(1);
    });
    child.on('close', resolveExit);
  });
  if (code !== 0) {
    failed.add(workspace.name);
    console.error(`build: ${workspace.name} FAILED; its output:\n${output.trimEnd()}\n`);
    return;
  }
  // tsup writes its files afresh, without the execute bit npm gave the commands at install.
  for (const target of Object.values(workspace.manifest.bin ?? {})) await chmod(join(workspace.dir, target), 0o755);
  built += 1;
  console.log(`build: ${workspace.name} (${reason}; ${((Date.now() - begun) / 1000).toFixed(1)} s)`);
}

/**
 * The packages' commands in node_modules/.bin (`npx nodepool`). `npm ci` cannot link them before
 * dist/ exists, so the first build asks npm to; later builds find them in place.
 */
async function linkCommands(): Promise<boolean> {
  const binDir = join(root, 'node_modules', '.bin');
  const names = workspaces.flatMap((workspace) => Object.keys(workspace.manifest.bin ?? {}));
  const present = await Promise.all(names.map((name) => stat(join(binDir, name)).then(() => true, () => false)));
  if (present.every(Boolean)) return false;
  const result = spawnSync('npm', ['rebuild', '--ignore-scripts', '--silent'], { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) {
    console.error(`build: linking the commands (npm rebuild) failed:\n${result.stdout}${result.stderr}`);
    process.exit(1);
  }
  return true;
}
