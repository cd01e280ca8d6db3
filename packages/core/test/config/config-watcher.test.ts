import test from 'ava';
import { mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '@nodepool/testkit';
import { ConfigWatcher, DriverRegistry, formatIssue, type ConfigChange, type ConfigIssue } from '@nodepool/core';
import { testDriver } from '../helpers/test-driver.js';

const base = (providers: string) => `labels:\n  - name: small\nproviders:\n${providers}`;
const provider = (name: string, maxServers: number) =>
  `  - name: ${name}\n    driver: test\n    pools:\n      - name: main\n        max-servers: ${maxServers}\n        labels:\n          - name: small\n`;

async function setup(t: import('ava').ExecutionContext, initial: string) {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-watch-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  const file = join(dir, 'nodepool.yaml');
  await writeFile(file, initial);
  const watcher = new ConfigWatcher(file, { drivers: DriverRegistry.of(testDriver()), env: {}, debounceMs: 50 });
  t.teardown(() => watcher.stop());
  const changes: ConfigChange[] = [];
  const invalid: ConfigIssue[][] = [];
  watcher.on('change', (change) => changes.push(change));
  watcher.on('invalid', (issues) => invalid.push(issues));
  await watcher.start();
  return { file, dir, watcher, changes, invalid };
}

test('a valid change applies, naming the providers added, removed and changed', async (t) => {
  const { file, watcher, changes } = await setup(t, base(provider('a', 1) + provider('b', 1)));
  await writeFile(file, base(provider('a', 5) + provider('c', 1)));
  await waitFor(() => changes.length === 1, { timeoutMs: 30_000 });
  t.deepEqual(changes[0]!.providers, { added: ['c'], removed: ['b'], changed: ['a'] });
  t.is(watcher.current.providers.get('a')!.pools.get('main')!.maxServers, 5);
});

test('an untouched provider is not reported when another changes', async (t) => {
  const { file, changes } = await setup(t, base(provider('a', 1) + provider('b', 1)));
  await writeFile(file, base(provider('a', 1) + provider('b', 2)));
  await waitFor(() => changes.length === 1, { timeoutMs: 30_000 });
  t.deepEqual(changes[0]!.providers, { added: [], removed: [], changed: ['b'] });
});

test('a bad file is reported with its problems and the old configuration keeps running', async (t) => {
  const { file, watcher, changes, invalid } = await setup(t, base(provider('a', 1)));
  const before = watcher.current;
  await writeFile(file, base(provider('a', 1)).replace('max-servers: 1', 'max-servers: lots'));
  await waitFor(() => invalid.length >= 1, { timeoutMs: 30_000 });
  t.deepEqual(invalid[0]!.map((issue) => formatIssue({ ...issue, file: 'nodepool.yaml' })), [
    'nodepool.yaml:8 providers[0].pools[0].max-servers: expected an integer, got the string "lots"',
  ]);
  t.is(watcher.current, before);
  t.deepEqual(changes, []);
  // Fixing the file applies it.
  await writeFile(file, base(provider('a', 2)));
  await waitFor(() => changes.length === 1, { timeoutMs: 30_000 });
  t.is(watcher.current.providers.get('a')!.pools.get('main')!.maxServers, 2);
});

test('a file replaced by rename, as editors save, is picked up', async (t) => {
  const { file, dir, changes } = await setup(t, base(provider('a', 1)));
  const temp = join(dir, '.nodepool.yaml.swp');
  await writeFile(temp, base(provider('a', 3)));
  await rename(temp, file);
  await waitFor(() => changes.length === 1, { timeoutMs: 30_000 });
  t.is(changes[0]!.current.providers.get('a')!.pools.get('main')!.maxServers, 3);
});

test('hostile YAML over a running configuration is reported and the old one keeps running', async (t) => {
  const { file, watcher, changes, invalid } = await setup(t, base(provider('a', 1)));
  const before = watcher.current;
  const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
  for (let level = 1; level < 9; level++) bomb.push(`${'abcdefghij'[level]}: &${'abcdefghij'[level]} [${Array(10).fill(`*${'abcdefghij'[level - 1]}`).join(', ')}]`);
  const hostile = [`${bomb.join('\n')}\n`, 'a: &a\n  x: 1\n  <<: *a\n', 'labels: =\n', '\u0000\u0001: [\n'];
  for (const [index, text] of hostile.entries()) {
    await writeFile(file, text);
    await waitFor(() => invalid.length >= index + 1, { timeoutMs: 30_000 });
    t.true(invalid[index]!.length > 0);
    t.true(invalid[index]!.every((issue) => issue.file === file));
    t.is(watcher.current, before);
  }
  t.deepEqual(changes, []);
  await writeFile(file, base(provider('a', 4)));
  await waitFor(() => changes.length === 1, { timeoutMs: 30_000 });
  t.is(watcher.current.providers.get('a')!.pools.get('main')!.maxServers, 4);
});
