import test from 'ava';
import { NodeRequest, type Node, type NodepoolZooKeeper } from '@nodepool/core';
import { findFreePort, startSshServer, useSshServer, useZooKeeper, waitFor, type LocalSshServer } from '@nodepool/testkit';
import type { ExecutionContext } from 'ava';
import { createProvider, freshZk, peerZk, PROVIDER, readNodes, staticConfig, stateAndSlot, type PoolEntry } from './helpers.js';

const zookeeper = useZooKeeper(test);
const sharedSshd = useSshServer(test);

/** An sshd of the test's own, for tests that stop it. */
async function ownSshd(t: ExecutionContext): Promise<LocalSshServer> {
  const server = await startSshServer();
  t.teardown(() => server.destroy());
  return server;
}

// Five seconds for the host-key scan: on a loaded machine an RSA handshake alone can outlast one.
// A scan that must succeed gets a generous timeout, so a starved machine's slow sshd still answers
// within it; tests of a host that does not answer set a short one.
function hostEntry(sshd: { port: number }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { name: '127.0.0.1', labels: ['static-label'], 'connection-port': sshd.port, timeout: 30, ...extra };
}

const onePool = (nodes: Record<string, unknown>[], extra: Partial<PoolEntry> = {}): PoolEntry[] => [{ nodes, ...extra }];

test('registers a host as one ready node per max-parallel-jobs slot, with its scanned host keys', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const config = await staticConfig(
    onePool(
      [hostEntry(sshd, { labels: 'label-a label-b', username: 'ci', 'max-parallel-jobs': 2, 'python-path': '/usr/bin/python3', 'shell-type': 'bash' })],
      { 'node-attributes': { 'executor-zone': 'rack-1' } },
    ),
  );
  const provider = await createProvider(t, config, zk);
  await provider.start();

  const nodes = await readNodes(zk);
  t.is(nodes.length, 2);
  nodes.forEach((node, slot) => {
    t.like(node, {
      state: 'ready',
      provider: PROVIDER,
      pool: 'main',
      launcher: 'static driver',
      type: ['label-a', 'label-b'],
      hostname: '127.0.0.1',
      interfaceIp: '127.0.0.1',
      externalId: '127.0.0.1',
      publicIpv4: '127.0.0.1',
      username: 'ci',
      connectionPort: sshd.port,
      connectionType: 'ssh',
      pythonPath: '/usr/bin/python3',
      shellType: 'bash',
      attributes: { 'executor-zone': 'rack-1' },
      slot,
      allocatedTo: null,
    });
    t.deepEqual(node.hostKeys, [...sshd.hostKeys]);
    t.is(node.createdTime, node.stateTime);
  });
});

test('a restarted provider registers no duplicates and refills a free slot number', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const config = await staticConfig(onePool([hostEntry(sshd, { 'max-parallel-jobs': 3 })]));
  const first = await createProvider(t, config, zk);
  await first.start();
  await first.stop();
  const before = await readNodes(zk);
  t.deepEqual(before.map((node) => node.slot), [0, 1, 2]);
  // Slot 1's node was used and deleted while no launcher ran.
  await zk.deleteNode(before[1]!);

  const second = await createProvider(t, config, zk);
  await second.start();
  const after = await readNodes(zk);
  t.deepEqual(after.map((node) => node.slot), [0, 1, 2]);
  t.is(after[0]!.id, before[0]!.id);
  t.not(after[1]!.id, before[1]!.id);
  t.is(after[2]!.id, before[2]!.id);
});

test('updates registered ready nodes whose settings changed in the configuration', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const first = await createProvider(t, await staticConfig(onePool([hostEntry(sshd)])), zk);
  await first.start();
  await first.stop();
  const [before] = await readNodes(zk);

  const changed = await staticConfig(onePool([hostEntry(sshd, { labels: 'other-label', 'python-path': '/opt/python' })], { 'node-attributes': { zone: 'b' } }));
  const second = await createProvider(t, changed, zk);
  await second.start();
  const nodes = await readNodes(zk);
  t.is(nodes.length, 1);
  t.like(nodes[0], { id: before!.id, state: 'ready', type: ['other-label'], pythonPath: '/opt/python', attributes: { zone: 'b' }, slot: 0 });
});

test('removing a host deregisters its ready nodes but leaves locked ones alone', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const zuul = await peerZk(t, zookeeper().connectString, zk);
  const first = await createProvider(t, await staticConfig(onePool([hostEntry(sshd, { 'max-parallel-jobs': 3 })])), zk);
  await first.start();
  await first.stop();
  const [inUse, handedOut] = await readNodes(zk);
  // Zuul runs a job on slot 0; slot 1 is locked while a launcher hands it out.
  await zuul.lockNode(inUse!);
  inUse!.setState('in-use');
  await zuul.storeNode(inUse!);
  await zuul.lockNode(handedOut!);
  t.teardown(() => zuul.unlockNode(handedOut!).catch(() => undefined));

  const second = await createProvider(t, await staticConfig(onePool([])), zk);
  await second.start();
  t.deepEqual((await readNodes(zk)).map(stateAndSlot), [`127.0.0.1:${sshd.port}/0=in-use`, `127.0.0.1:${sshd.port}/1=ready`, `127.0.0.1:${sshd.port}/2=deleting`]);

  // Once the hand-out gives up, the next sync deregisters it too; the in-use node waits for the reaper.
  await zuul.unlockNode(handedOut!);
  await second.cleanupLeakedResources();
  t.deepEqual((await readNodes(zk)).map(stateAndSlot), [`127.0.0.1:${sshd.port}/0=in-use`, `127.0.0.1:${sshd.port}/1=deleting`, `127.0.0.1:${sshd.port}/2=deleting`]);
});

test('lowering max-parallel-jobs deregisters the surplus slots', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const first = await createProvider(t, await staticConfig(onePool([hostEntry(sshd, { 'max-parallel-jobs': 3 })])), zk);
  await first.start();
  await first.stop();

  const second = await createProvider(t, await staticConfig(onePool([hostEntry(sshd, { 'max-parallel-jobs': 1 })])), zk);
  await second.start();
  t.deepEqual(
    (await readNodes(zk)).map(stateAndSlot),
    [0, 1, 2].map((slot) => `127.0.0.1:${sshd.port}/${slot}=${slot === 0 ? 'ready' : 'deleting'}`),
  );
});

test('a host without host key checking is registered with its configured keys, without being contacted', async (t) => {
  const port = await findFreePort();
  const zk = await freshZk(t, zookeeper().connectString);
  const configured = ['ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyFakeKeyFakeKeyFakeKeyFakeKeyFakeKey'];
  const config = await staticConfig(onePool([hostEntry({ port }, { 'host-key-checking': false, 'host-key': configured })]));
  const provider = await createProvider(t, config, zk);
  await provider.start();

  const nodes = await readNodes(zk);
  t.is(nodes.length, 1);
  t.like(nodes[0], { state: 'ready', connectionPort: port, slot: 0 });
  t.deepEqual(nodes[0]!.hostKeys, configured);
  // Nobody listens there, yet the node counts as alive: it may sit on a network we cannot reach.
  const handler = provider.getRequestHandler(config.pools.get('main')!, new NodeRequest());
  t.true(await handler.checkReusableNode!(nodes[0]!));
});

test('a host whose configured host key the scan does not find is not registered', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const wrong = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyFakeKeyFakeKeyFakeKeyFakeKeyFakeKey';
  const config = await staticConfig(
    onePool([
      hostEntry(sshd, { username: 'mismatch', 'host-key': wrong }),
      // A configured key copied from a .pub file, comment and all.
      hostEntry(sshd, { username: 'match', 'host-key': `${sshd.hostKeys[1]} root@example` }),
    ]),
  );
  const provider = await createProvider(t, config, zk);
  await provider.start();

  const nodes = await readNodes(zk);
  t.deepEqual(
    nodes.map((node) => node.username),
    ['match'],
  );
  t.deepEqual(nodes[0]!.hostKeys, [...sshd.hostKeys]);
});

test('a winrm host is registered after a connection check, without host keys', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const config = await staticConfig(onePool([hostEntry(sshd, { 'connection-type': 'winrm', 'shell-type': 'cmd' })]));
  const provider = await createProvider(t, config, zk);
  await provider.start();

  const nodes = await readNodes(zk);
  t.is(nodes.length, 1);
  t.like(nodes[0], { state: 'ready', connectionType: 'winrm', shellType: 'cmd', hostKeys: [] });
});

test('the liveness check fails and deregisters the host\'s ready nodes when sshd is down', async (t) => {
  const sshd = await ownSshd(t);
  const zk = await freshZk(t, zookeeper().connectString);
  const config = await staticConfig(onePool([hostEntry(sshd, { 'max-parallel-jobs': 2, timeout: 5 })]));
  const provider = await createProvider(t, config, zk);
  await provider.start();
  const handler = provider.getRequestHandler(config.pools.get('main')!, new NodeRequest());
  const [candidate] = await readNodes(zk);

  // As the launcher does: the candidate is locked while it is checked.
  await zk.lockNode(candidate!);
  t.true(await handler.checkReusableNode!(candidate!));
  await sshd.stop();
  t.false(await handler.checkReusableNode!(candidate!));
  await zk.unlockNode(candidate!);

  t.deepEqual((await readNodes(zk)).map((node) => node.state), ['deleting', 'deleting']);
});

test('a deleted node is registered again in its slot', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const config = await staticConfig(onePool([hostEntry(sshd, { 'max-parallel-jobs': 2 })]));
  const provider = await createProvider(t, config, zk);
  await provider.start();
  const [, used] = await readNodes(zk);

  await deleteAsTheLauncherDoes(zk, used!);
  provider.nodeDeletedNotification(used!);

  const nodes = await waitFor(async () => {
    const current = await readNodes(zk);
    return current.length === 2 ? current : undefined;
  });
  t.deepEqual(nodes.map((node) => [node.slot, node.state]), [[0, 'ready'], [1, 'ready']]);
  t.not(nodes[1]!.id, used!.id);
});

test('a deleted node of a host no longer configured is not registered again', async (t) => {
  const sshd = sharedSshd();
  const zk = await freshZk(t, zookeeper().connectString);
  const first = await createProvider(t, await staticConfig(onePool([hostEntry(sshd)])), zk);
  await first.start();
  await first.stop();
  const [used] = await readNodes(zk);

  const second = await createProvider(t, await staticConfig(onePool([])), zk);
  await second.start();
  await deleteAsTheLauncherDoes(zk, used!);
  second.nodeDeletedNotification(used!);
  await second.stop();
  t.deepEqual(await readNodes(zk), []);
});

test('an unreachable host is registered on the next sync once it answers', async (t) => {
  const sshd = await ownSshd(t);
  await sshd.stop();
  const zk = await freshZk(t, zookeeper().connectString);
  const provider = await createProvider(t, await staticConfig(onePool([hostEntry(sshd, { timeout: 5 })])), zk);
  await provider.start();
  t.deepEqual(await readNodes(zk), []);

  await provider.cleanupLeakedResources();
  t.deepEqual(await readNodes(zk), []);

  await sshd.start();
  await provider.cleanupLeakedResources();
  const nodes = await readNodes(zk);
  t.is(nodes.length, 1);
  t.like(nodes[0], { state: 'ready', slot: 0 });
  t.deepEqual(nodes[0]!.hostKeys, [...sshd.hostKeys]);
});

/** The deletion protocol's steps, as the launcher's deleter runs them. */
async function deleteAsTheLauncherDoes(zk: NodepoolZooKeeper, node: Node): Promise<void> {
  await zk.lockNode(node);
  const fresh = (await zk.getNode(node.id))!;
  fresh.setState('deleting');
  await zk.storeNode(fresh);
  fresh.setState('deleted');
  await zk.storeNode(fresh);
  await zk.deleteNode(fresh);
}

test('a slot a sync filled while its node was being deleted is not registered twice', async (t) => {
  const zk = await freshZk(t, zookeeper().connectString);
  const provider = await createProvider(t, await staticConfig(onePool([{ name: '127.0.0.1', labels: ['static-label'], 'host-key-checking': false }])), zk);
  await provider.start();
  const [used] = await readNodes(zk);
  // The deleter has marked it `deleting`: a sync now counts its slot as free and fills it.
  await zk.lockNode(used!);
  const deleting = (await zk.getNode(used!.id))!;
  deleting.setState('deleting');
  await zk.storeNode(deleting);
  await provider.cleanupLeakedResources();
  await zk.deleteNode(deleting);
  await provider.nodeDeletedNotification(deleting);

  const nodes = await readNodes(zk);
  t.deepEqual(nodes.map(stateAndSlot), ['127.0.0.1:22/0=ready']);
  t.not(nodes[0]!.id, used!.id);
});

test("a leaving node's slot is registered again while the node is being deleted, and only once", async (t) => {
  const zk = await freshZk(t, zookeeper().connectString);
  const provider = await createProvider(t, await staticConfig(onePool([{ name: '127.0.0.1', labels: ['static-label'], 'host-key-checking': false }])), zk);
  await provider.start();
  const [used] = await readNodes(zk);
  // As the launcher's deleter: locked, marked `deleting`, then the provider cleans up.
  await zk.lockNode(used!);
  const deleting = (await zk.getNode(used!.id))!;
  deleting.setState('deleting');
  await zk.storeNode(deleting);
  await provider.cleanupNode(deleting);

  const during = await waitFor(async () => {
    const nodes = await readNodes(zk);
    return nodes.length === 2 ? nodes : undefined;
  });
  t.deepEqual(during.map(stateAndSlot).sort(), ['127.0.0.1:22/0=deleting', '127.0.0.1:22/0=ready']);
  await zk.deleteNode(deleting);
  await provider.nodeDeletedNotification(deleting);
  t.deepEqual((await readNodes(zk)).map(stateAndSlot), ['127.0.0.1:22/0=ready']);
});
