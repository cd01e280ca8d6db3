import test from 'ava';
import { useZooKeeperEnsemble, waitFor } from '@nodepool/testkit';
import { ConnectionLossError, NodeExistsError, ZooKeeperClient } from '@nodepool/zookeeper';
import { connectClient, connectPeer } from './helpers/clients.js';

const ensemble = useZooKeeperEnsemble(test, { size: 3, tickTimeMs: 500 });

// Serial: each test kills a member the other relies on.
test.serial('killing the leader under load loses no acknowledged write and the client carries on', async (t) => {
  const client = await connectClient(t, ensemble().connectString, { sessionTimeoutMs: 10_000 });
  const sessionId = client.session?.sessionId;
  const reconnects: string[] = [];
  client.on('reconnected', (info) => reconnects.push(info.server));
  await client.create('/load');

  const acknowledged: string[] = [];
  let uncertain = 0;
  let stop = false;
  const writer = async (id: number): Promise<void> => {
    for (let i = 0; !stop; i++) {
      const path = `/load/w${id}-${i}`;
      try {
        await client.create(path, { data: path });
        acknowledged.push(path);
      } catch (error) {
        // A write cut off by the failover may or may not have been applied: it is not counted.
        if (error instanceof ConnectionLossError || error instanceof NodeExistsError) uncertain++;
        else throw error;
      }
    }
  };
  const writers = Array.from({ length: 16 }, (_, id) => writer(id));

  await waitFor(() => acknowledged.length >= 300, { timeoutMs: 20_000 });
  const leader = await ensemble().leader();
  await leader.kill();
  // Back for the next tests even if this one fails.
  t.teardown(() => (leader.running ? undefined : leader.start()));
  const atKill = acknowledged.length;
  // Usually seconds; on a loaded machine ZooKeeper's leader election can back off for longer.
  await waitFor(() => acknowledged.length >= atKill + 300, { timeoutMs: 90_000, message: 'writes did not resume after the leader died' });
  stop = true;
  await Promise.all(writers);

  t.is(client.session?.sessionId, sessionId, 'the session survived the failover');
  const checker = await connectPeer(t, ensemble().connectString, client);
  await checker.sync('/load');
  const { children } = await checker.getChildren('/load');
  const present = new Set(children.map((name) => `/load/${name}`));
  const lost = acknowledged.filter((path) => !present.has(path));
  t.deepEqual(lost, [], 'every acknowledged create is still there');
  t.log(`${acknowledged.length} acknowledged writes, ${uncertain} cut off by the failover, ${reconnects.length} reconnects`);
  await leader.start();
});

test.serial('moves to another server within the session when its server dies', async (t) => {
  const client = await connectClient(t, ensemble().connectString, { sessionTimeoutMs: 10_000 });
  const before = client.session!;
  const ephemeral = await client.create('/mine', { mode: 'ephemeral' });
  const victim = ensemble().servers.find((server) => before.server === server.connectString)!;
  t.truthy(victim, `connected to ${before.server}, one of ${ensemble().connectString}`);
  const reconnected = new Promise<string>((resolve) => client.once('reconnected', (info) => resolve(info.server)));
  await victim.kill();
  t.teardown(() => (victim.running ? undefined : victim.start()));
  const now = await reconnected;
  t.not(now, before.server);
  t.is(client.session?.sessionId, before.sessionId);
  t.truthy(await client.exists(ephemeral));
  await victim.start();
});

test.serial('a client of the whole ensemble is not fooled by a member that is down', async (t) => {
  const [first] = ensemble().servers;
  await first!.stop();
  t.teardown(() => first!.start());
  for (let i = 0; i < 5; i++) {
    const client = new ZooKeeperClient({ servers: ensemble().connectString, sessionTimeoutMs: 4_000 });
    t.teardown(() => client.close());
    const session = await client.connect();
    t.not(session.server, first!.connectString);
  }
});
