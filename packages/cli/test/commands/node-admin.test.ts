import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

const nodeJson = async (f: { client: { getData(path: string): Promise<{ data: Buffer }> } }, id: string) =>
  JSON.parse((await f.client.getData(`/nodepool/nodes/${id}`)).data.toString()) as Record<string, unknown>;

test('delete marks the node deleting, keeps what Zuul wrote, unlocks it and lists it', async (t) => {
  const f = await cliFixture(t, zk());
  const { zuulNode } = f.seeded;
  const result = await f.run('delete', zuulNode);
  t.is(result.code, 0, result.err.join('\n'));
  t.is(result.out.length, 5);
  t.regex(result.out[3]!, new RegExp(`^\\| ${zuulNode} \\| cloud-a  \\| debian,arm64 \\| i-0c2d    \\| None        \\| 2001:db8::2 \\| deleting \\| -?\\d+:\\d\\d:\\d\\d:\\d\\d +\\| unlocked \\|$`));
  const record = await nodeJson(f, zuulNode);
  t.like(record, { state: 'deleting', allocated_to: '200-0000000000', user_data: { zuul_system: '9c1d', project_name: 'example.org/acme/app' } });
  t.true(Math.abs((record.state_time as number) - Date.now() / 1000) < 60);
  t.deepEqual((await f.client.getChildren(`/nodepool/nodes/${zuulNode}/lock`)).children, []);
});

test('hold sets hold and nothing else', async (t) => {
  const f = await cliFixture(t, zk());
  const result = await f.run('hold', f.seeded.readyNode);
  t.is(result.code, 0, result.err.join('\n'));
  t.regex(result.out[3]!, / hold /);
  t.like(await nodeJson(f, f.seeded.readyNode), { state: 'hold', hold_job: null, hold_expiration: null });
});

test('delete and hold of a missing node, or of one Zuul keeps locked, fail with one line', async (t) => {
  const f = await cliFixture(t, zk());
  t.deepEqual(await f.run('delete', '0000009999'), { code: 1, out: [], err: ['nodepool: Node id 0000009999 not found'] });
  t.deepEqual(await f.run('hold', 'bogus'), { code: 1, out: [], err: ['nodepool: Node id bogus not found'] });
  await f.peer.acquire(`/nodepool/nodes/${f.seeded.zuulNode}/lock`);
  const started = Date.now();
  t.deepEqual(await f.run('hold', f.seeded.zuulNode), { code: 1, out: [], err: [`nodepool: Node ${f.seeded.zuulNode} is locked by someone else (waited 5 s)`] });
  t.true(Date.now() - started >= 4_900);
  t.like(await nodeJson(f, f.seeded.zuulNode), { state: 'in-use' });
});

test('delete --now deletes the node here with the configured provider; other providers are refused', async (t) => {
  const f = await cliFixture(t, zk());
  const result = await f.run('delete', '--now', f.seeded.readyNode);
  t.is(result.code, 0, result.err.join('\n'));
  t.deepEqual(f.cloud.deleted, [f.seeded.readyNode]);
  t.is(await f.client.exists(`/nodepool/nodes/${f.seeded.readyNode}`), null);
  t.is(result.out.length, 4, 'the listing of a node that is gone is an empty table');
  const other = await f.run('delete', '--now', f.seeded.podNode);
  t.deepEqual(other, { code: 1, out: [], err: [`nodepool: Provider k8s for node ${f.seeded.podNode} not defined on this launcher`] });
  t.like(await nodeJson(f, f.seeded.podNode), { state: 'hold' });
  t.deepEqual((await f.client.getChildren(`/nodepool/nodes/${f.seeded.podNode}/lock`)).children, [], 'unlocked again');
});
