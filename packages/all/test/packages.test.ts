import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { repositoryRoot } from './helpers/offline-install.js';

/* What `npm publish` of each workspace package would ship, and what an install of it pulls in. */

const run = promisify(execFile);

interface Manifest {
  name: string;
  private?: boolean;
  license?: string;
  engines?: { node?: string };
  files?: string[];
  exports?: Record<string, Record<string, string>>;
  bin?: Record<string, string>;
  publishConfig?: { access?: string };
  nodepool?: { drivers?: string[] };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

async function workspaces(): Promise<Array<{ dir: string; manifest: Manifest }>> {
  const root = join(repositoryRoot, 'packages');
  const found = [];
  for (const entry of (await readdir(root)).sort()) {
    const file = join(root, entry, 'package.json');
    const manifest = existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Manifest) : undefined;
    // A private package (packages/chaos) is never published, so none of this concerns it.
    if (manifest && !manifest.private) found.push({ dir: join(root, entry), manifest });
  }
  return found;
}

test('every package carries what a registry page and an install need', async (t) => {
  for (const { dir, manifest } of await workspaces()) {
    const name = manifest.name;
    t.not(manifest.private, true, `${name} is publishable`);
    t.is(manifest.license, 'Apache-2.0', name);
    t.regex(manifest.engines?.node ?? '', /^>=20/, `${name} engines`);
    t.is(manifest.publishConfig?.access, 'public', `${name}: scoped packages are private on the registry unless published public`);
    t.true(manifest.files?.includes('dist'), `${name} ships dist/`);
    for (const [subpath, conditions] of Object.entries(manifest.exports ?? {})) {
      t.deepEqual(Object.keys(conditions), ['source', 'types', 'default'], `${name} exports ${subpath}: types before default`);
    }
    for (const [command, target] of Object.entries(manifest.bin ?? {})) t.regex(target, /^dist\/bin\/[\w-]+\.js$/, `${name} command ${command}`);
    const readme = await readFile(join(dir, 'README.md'), 'utf8');
    t.regex(readme, new RegExp(`npm install (-g |--save-dev |--prefix \\S+ )?${name.replace('/', '\\/')}`), `${name}'s README says how to install it`);
  }
});

test('npm publish --dry-run finds nothing to correct in any package', async (t) => {
  const { stderr } = await run('npm', ['publish', '--dry-run', '--offline', '--workspaces'], { cwd: repositoryRoot });
  // Logging in is the one thing a dry run cannot do.
  const warnings = stderr.split('\n').filter((line) => /\b(warn|ERR)/i.test(line) && !/requires you to be logged in|marked as private/.test(line));
  t.deepEqual(warnings, []);
});

test('tarballs hold the built code, the README and package.json: no sources, tests or fixtures', async (t) => {
  const { stdout } = await run('npm', ['pack', '--dry-run', '--json', '--workspaces'], { cwd: repositoryRoot, maxBuffer: 16 << 20 });
  const packs = JSON.parse(stdout) as Array<{ name: string; files: Array<{ path: string }> }>;
  t.true(packs.length >= 15);
  const published = new Set((await workspaces()).map(({ manifest }) => manifest.name));
  for (const pack of packs.filter(({ name }) => published.has(name))) {
    const stray = pack.files.map((file) => file.path).filter((path) => !/^(dist\/|README\.md$|package\.json$|kazoo\/[\w-]+\.py$)/.test(path));
    t.deepEqual(stray, [], pack.name);
  }
});

test('the CLI depends on no driver and no test helper; drivers share core as a peer', async (t) => {
  const all = await workspaces();
  const cli = all.find(({ manifest }) => manifest.name === '@nodepool/cli')!.manifest;
  t.deepEqual(Object.keys(cli.dependencies ?? {}).filter((dep) => dep.startsWith('@nodepool/')).sort(), ['@nodepool/core', '@nodepool/zookeeper', '@nodepool/zuul-client']);
  for (const { manifest } of all) {
    if (manifest.name === '@nodepool/testkit') continue;
    t.false('@nodepool/testkit' in (manifest.dependencies ?? {}), `${manifest.name} needs test helpers at run time`);
    if (!manifest.nodepool?.drivers) continue;
    t.is(manifest.peerDependencies?.['@nodepool/core'], '0.1.0', `${manifest.name}: core as a peer`);
    t.false('@nodepool/core' in (manifest.dependencies ?? {}), `${manifest.name}: a dependency would bring a second core`);
  }
});

test('@nodepool/all depends on the CLI and on every driver package', async (t) => {
  const all = await workspaces();
  const drivers = all.filter(({ manifest }) => manifest.nodepool?.drivers).map(({ manifest }) => manifest.name);
  const bundle = all.find(({ manifest }) => manifest.name === '@nodepool/all')!.manifest;
  t.true(drivers.length >= 9);
  t.deepEqual(
    Object.keys(bundle.dependencies ?? {}).sort(),
    ['@nodepool/cli', '@nodepool/core', ...drivers].sort(),
  );
});

test('no main entry point reaches a fake, a fixture or a test helper', async (t) => {
  for (const { dir, manifest } of await workspaces()) {
    if (manifest.name === '@nodepool/testkit') continue;
    const entry = manifest.exports?.['.']?.source;
    if (!entry) continue;
    const reached = await sourceClosure(resolve(dir, entry));
    const offending = [...reached].filter((item) => /\/testing(\/|$)|@nodepool\/testkit|\/test\/|fixture|fake/i.test(item.replace(repositoryRoot, '')));
    t.deepEqual(offending, [], `${manifest.name}'s main entry`);
  }
});

/** Every source file and package specifier statically imported from `file`, transitively within its package. */
async function sourceClosure(file: string): Promise<Set<string>> {
  const seen = new Set<string>();
  const pending = [file];
  while (pending.length > 0) {
    const current = pending.pop()!;
    if (seen.has(current)) continue;
    seen.add(current);
    const text = await readFile(current, 'utf8');
    for (const match of text.matchAll(/^\s*(?:import|export)\s[^;]*?from\s+'([^']+)'/gms)) {
      const specifier = match[1]!;
      if (specifier.startsWith('.')) pending.push(resolve(dirname(current), specifier.replace(/\.js$/, '.ts')));
      else if (!specifier.startsWith('node:')) seen.add(specifier);
    }
  }
  return seen;
}
