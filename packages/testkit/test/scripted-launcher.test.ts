import test from 'ava';
import type { WatchEvent } from '@nodepool/zookeeper';
import { ScriptedLauncher, ZuulClient, nodeLockPath, nodePath, requestLockPath, requestPath, useZooKeeper } from '../src/index.js';
import { connectParties, readJson } from './helpers/zookeeper-clients.js';

const zk = useZooKeeper(test);

test('it fulfils a request as Nodepool does: locked while pending, nodes unlocked before the request is written', async (t) => {
  const { zuul: zuulZk, launcher: launcherZk, observer } = await connectParties(t, zk().connectString, ['zuul', 'launcher', 'observer'] as const);
  const events: WatchEvent[] = [];
  await observer.mkdirp('/nodepool');
  await observer.addWatch('/nodepool', (event) => events.push(event), { recursive: true });
  const launcher = await ScriptedLauncher.start(launcherZk);
  t.teardown(() => launcher.stop());
  const zuul = new ZuulClient(zuulZk, { tenant: 'acme' });

  const request = await zuul.requestNodes(['debian-bookworm', 'ubuntu-noble']);
  const outcome = await launcher.outcome(request.id);
  t.is(outcome.result, 'fulfilled');
  const record = await readJson(observer, requestPath(request.id));
  t.deepEqual(Object.keys(record).sort(), [
    'created_time', 'declined_by', 'event_id', 'node_types', 'nodes', 'provider', 'relative_priority',
    'requestor', 'requestor_data', 'reuse', 'state', 'state_time', 'tenant_name',
  ]);
  t.like(record, { state: 'fulfilled', nodes: outcome.nodeIds, requestor: zuul.systemId, tenant_name: 'acme' });
  t.deepEqual(record.requestor_data, request.document.requestor_data, 'requestor_data is copied back verbatim');

  for (const [index, id] of outcome.nodeIds.entries()) {
    const node = await readJson(observer, nodePath(id));
    t.is(Object.keys(node).length, 36);
    t.like(node, { state: 'ready', type: [request.labels[index]], allocated_to: request.id, launcher: launcher.poolId, requestor: zuul.systemId });
    t.deepEqual((await observer.getChildren(nodeLockPath(id))).children, []);
  }

  await observer.sync();
  const changes = events.flatMap((event, index) => (event.path === requestPath(request.id) && event.type === 'changed' ? [index] : []));
  t.is(changes.length, 2, 'pending, then fulfilled');
  const lockDir = `${requestLockPath(request.id)}/`;
  const locked = events.findIndex((event) => event.type === 'created' && event.path.startsWith(lockDir));
  const unlocked = events.findIndex((event) => event.type === 'deleted' && event.path.startsWith(lockDir));
  t.true(locked < changes[0]! && unlocked > changes[1]!, 'the request lock is held from before pending until after fulfilled');
  const lastNodeUnlock = events.findLastIndex((event) => event.type === 'deleted' && event.path.startsWith('/nodepool/nodes/'));
  t.true(lastNodeUnlock !== -1 && lastNodeUnlock < changes[1]!, 'nodes are unlocked before the request is written fulfilled');
  t.deepEqual(launcher.errors, []);
});

test('it declines as the only pool, and leaves ignored requests untouched', async (t) => {
  const { zuul: zuulZk, launcher: launcherZk, observer } = await connectParties(t, zk().connectString, ['zuul', 'launcher', 'observer'] as const);
  const launcher = await ScriptedLauncher.start(launcherZk, {
    decide: ({ record }) => (record.node_types.includes('gpu') ? 'decline' : 'ignore'),
  });
  t.teardown(() => launcher.stop());
  const zuul = new ZuulClient(zuulZk);

  const declined = await zuul.requestNodes(['gpu']);
  t.is((await launcher.outcome(declined.id)).result, 'failed');
  t.like(await readJson(observer, requestPath(declined.id)), { state: 'failed', declined_by: [launcher.poolId], nodes: [] });

  const ignored = await zuul.requestNodes(['small']);
  t.is((await launcher.outcome(ignored.id)).result, 'ignored');
  t.deepEqual(await readJson(observer, requestPath(ignored.id)), { ...ignored.document });
  t.is(await observer.exists(requestLockPath(ignored.id)), null);
});
