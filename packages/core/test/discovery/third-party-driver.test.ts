import test from 'ava';
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { DriverRegistry, formatIssue, validateConfig } from '@nodepool/core';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));
const fixture = join(here, '..', '..', '..', 'testkit', 'fixtures', 'third-party-driver');
const core = join(here, '..', '..');

/**
 * An operator's project: Nodepool installed in it, and the third-party driver installed from its
 * npm tarball (a real copy, not a link to the repository).
 */
async function operatorProject(t: import('ava').ExecutionContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-operator-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'package.json'), JSON.stringify({ name: 'operator-project', private: true }));
  await run('npm', ['pack', fixture, '--pack-destination', dir, '--silent']);
  const tarball = (await readdir(dir)).find((name) => name.endsWith('.tgz'))!;
  await run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--legacy-peer-deps', '--silent', `./${tarball}`], { cwd: dir });
  await mkdir(join(dir, 'node_modules', '@nodepool'), { recursive: true });
  await symlink(core, join(dir, 'node_modules', '@nodepool', 'core'), 'dir');
  return dir;
}

test('a third-party driver installed with npm is found and used with no change to core', async (t) => {
  const dir = await operatorProject(t);
  const file = join(dir, 'nodepool.yaml');
  await writeFile(
    file,
    `labels:\n  - name: acme-small\nproviders:\n  - name: acme-cloud\n    driver: acme\n    endpoint: https://api.acme.example\n    pools:\n      - name: main\n        max-servers: 3\n        labels:\n          - name: acme-small\n            machine-type: s1\n`,
  );
  const result = await validateConfig(file, { drivers: new DriverRegistry({ searchFrom: [dir] }), env: {} });
  t.deepEqual([...result.errors, ...result.loadErrors].map(formatIssue), []);
  const provider = result.config!.providers.get('acme-cloud')!;
  t.is(provider.driver, 'acme');
  t.is(provider.pools.get('main')!.maxServers, 3);
  t.is((provider as unknown as { endpoint: string }).endpoint, 'https://api.acme.example');
});

test("the third-party driver's own schema and checks apply, and a typo lists it among the drivers found", async (t) => {
  const dir = await operatorProject(t);
  const file = join(dir, 'nodepool.yaml');
  await writeFile(file, `providers:\n  - name: acme-cloud\n    driver: acme\n    endpoint: http://plain\n    zone: x\n`);
  const registry = new DriverRegistry({ searchFrom: [dir] });
  const invalid = await validateConfig(file, { drivers: registry, env: {} });
  t.deepEqual(invalid.errors.map((issue) => `${issue.line} ${issue.message}`), ['5 unknown key (not allowed here)']);
  await writeFile(file, `providers:\n  - name: acme-cloud\n    driver: acme\n    endpoint: http://plain\n`);
  const insecure = await validateConfig(file, { drivers: registry, env: {} });
  t.deepEqual(insecure.loadErrors.map(formatIssue), [`${file}:4 providers[0].endpoint: the ACME API is only served over https`]);
  await writeFile(file, `providers:\n  - name: acme-cloud\n    driver: acmee\n`);
  const typo = await validateConfig(file, { drivers: registry, env: {} });
  t.regex(typo.errors[0]!.message, /Driver "acmee" could not be found[\s\S]*Drivers found: .*\bacme\b/);
});
