import test from 'ava';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { useZooKeeper } from '@nodepool/testkit';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { UUID_BUILD } from '../../../core/test/helpers/original-records.js';
import { files } from '../helpers.js';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

/** Every znode under `path` with its data, locks left out. */
async function tree(client: ZooKeeperClient, path: string, into: Record<string, string> = {}): Promise<Record<string, string>> {
  if (path.endsWith('/lock')) return into;
  into[path] = (await client.getData(path)).data.toString();
  for (const child of (await client.getChildren(path)).children) await tree(client, `${path}/${child}`, into);
  return into;
}

test('export-image-data writes every build, upload and pause flag, for the owner only; import puts them back', async (t) => {
  const f = await cliFixture(t, zk());
  const { out: dir } = await files(t, { out: '' });
  const file = join(dir!, '..', 'export.json');
  t.deepEqual(await f.run('export-image-data', file), { code: 0, out: [], err: [] });
  t.is((await stat(file)).mode & 0o777, 0o600);
  const exported = JSON.parse(await readFile(file, 'utf8')) as Record<string, string>;
  const uploads = `/nodepool/images/debian/builds/${UUID_BUILD}/providers/cloud-a/images`;
  t.deepEqual(Object.keys(exported).sort(), [
    '/nodepool/images/debian/builds/0000000001',
    '/nodepool/images/debian/builds/0000000001/providers/k8s/images/0000000000',
    `/nodepool/images/debian/builds/${UUID_BUILD}`,
    `${uploads}/0000000001`,
    `${uploads}/0000000002`,
    '/nodepool/images/ubuntu/builds/5e0f',
    '/nodepool/images/ubuntu/pause',
  ]);
  t.is(exported['/nodepool/images/ubuntu/pause'], '');
  // The data is kept byte for byte, as kazoo (Python's json.dumps) wrote it.
  t.true(exported[`${uploads}/0000000001`]!.startsWith('{"state": "ready", "state_time": 1700000000.25, '));

  const before = await tree(f.client, '/nodepool/images');
  await f.client.deleteRecursive('/nodepool/images');
  t.deepEqual(await f.run('import-image-data', file), { code: 0, out: [], err: [] });
  const after = await tree(f.client, '/nodepool/images');
  for (const [path, data] of Object.entries(exported)) t.is(after[path], data, path);
  t.deepEqual(Object.keys(after).filter((path) => !(path in before)), [], 'no stray znodes');
  // The upload counter is past the imported IDs: the builder's next upload cannot collide.
  const next = await f.client.create(`${uploads}/`, { mode: 'persistent-sequential' });
  t.true(Number(next.slice(-10)) > 2, next);
});

test('import-image-data refuses a file that is not an export, writing nothing', async (t) => {
  const f = await cliFixture(t, zk(), { seed: false });
  const paths = await files(t, { 'bad.json': '{"/etc/passwd": "x"}', 'broken.json': '{' });
  t.deepEqual(await f.run('import-image-data', paths['bad.json']!), { code: 1, out: [], err: [`nodepool: ${paths['bad.json']}: /etc/passwd is not a record under /nodepool/images`] });
  const broken = await f.run('import-image-data', paths['broken.json']!);
  t.is(broken.code, 1);
  t.regex(broken.err[0]!, /^nodepool: cannot read .*broken\.json: /);
  t.is(await f.client.exists('/nodepool/images'), null);
});
