import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { UUID_BUILD } from '../../../core/test/helpers/original-records.js';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

test('info lists the upload IDs by build and the nodes of a provider', async (t) => {
  const f = await cliFixture(t, zk());
  const result = await f.run('info', 'cloud-a');
  t.is(result.code, 0, result.err.join('\n'));
  t.deepEqual(result.out, [
    'ZooKeeper data for provider cloud-a',
    '',
    'Image data:',
    '+------------+----------------------------------+-----------------------+',
    '| Image Name | Build ID                         | Upload IDs            |',
    '+------------+----------------------------------+-----------------------+',
    `| debian     | ${UUID_BUILD} | 0000000001,0000000002 |`,
    '+------------+----------------------------------+-----------------------+',
    '',
    'Nodes:',
    '+------------+-----------+',
    '| ID         | Server ID |',
    '+------------+-----------+',
    `| ${f.seeded.readyNode} | i-0a1b    |`,
    `| ${f.seeded.zuulNode} | i-0c2d    |`,
    '+------------+-----------+',
  ]);
});

test('erase asks first and does nothing unless told y', async (t) => {
  const f = await cliFixture(t, zk());
  const result = await f.runAnswering(['n'], 'erase', 'k8s');
  t.is(result.code, 0);
  t.deepEqual(result.out, ['', 'WARNING! This action is not reversible!', 'Erase ZooKeeper data for provider k8s? [N/y] ', 'Aborting. No data erased.']);
  t.not(await f.client.exists(`/nodepool/nodes/${f.seeded.podNode}`), null);
  t.not(await f.client.exists('/nodepool/images/debian/builds/0000000001/providers/k8s'), null);
});

test('erase removes the provider upload records and nodes, without locks, and nothing of others', async (t) => {
  const f = await cliFixture(t, zk());
  // Even a node someone has locked goes: erase is for a provider that is gone for good.
  await f.peer.acquire(`/nodepool/nodes/${f.seeded.podNode}/lock`);
  const answered = await f.runAnswering(['Y'], 'erase', 'k8s');
  t.deepEqual(answered.out.slice(-2), ['Erasing build data for k8s...', 'Erasing node data for k8s...']);
  t.is(await f.client.exists(`/nodepool/nodes/${f.seeded.podNode}`), null);
  t.is(await f.client.exists('/nodepool/images/debian/builds/0000000001/providers/k8s'), null);
  t.not(await f.client.exists('/nodepool/images/debian/builds/0000000001'), null, 'the build stays');
  const forced = await f.run('erase', 'cloud-a', '--force');
  t.deepEqual(forced, { code: 0, out: ['Erasing build data for cloud-a...', 'Erasing node data for cloud-a...'], err: [] });
  t.deepEqual((await f.client.getChildren('/nodepool/nodes')).children, [f.seeded.emptyNode]);
  t.is(await f.client.exists(`/nodepool/images/debian/builds/${UUID_BUILD}/providers/cloud-a`), null);
});
