import test from 'ava';
import { isProcessAlive } from '../src/is-process-alive.js';
import { useZooKeeperEnsemble } from '../src/use-zookeeper.js';
import { waitFor } from '../src/wait-for.js';

// A small tick: followers notice a dead leader and elect a new one within about a second.
const ensemble = useZooKeeperEnsemble(test, { size: 3, tickTimeMs: 200 });

test.serial('three servers start with exactly one leader and two followers', async (t) => {
  const { servers, connectString } = ensemble();
  t.is(servers.length, 3);
  t.is(connectString, servers.map((server) => `127.0.0.1:${server.port}`).join(','));
  const modes = await Promise.all(servers.map((server) => server.mode()));
  t.deepEqual([...modes].sort(), ['follower', 'follower', 'leader']);
  t.is(servers.indexOf(await ensemble().leader()), modes.indexOf('leader'));
});

test.serial('killing the leader elects a new one, and the old leader rejoins after start()', async (t) => {
  const { servers } = ensemble();
  const oldLeader = await ensemble().leader();
  const oldPid = oldLeader.pid;
  await oldLeader.kill();
  t.false(isProcessAlive(oldPid));

  const newLeader = await ensemble().leader();
  t.not(newLeader, oldLeader);
  t.true(servers.includes(newLeader));

  await oldLeader.start();
  t.is(await oldLeader.mode(), 'follower');
  // The quorum is whole again: every member serves.
  await waitFor(async () => (await Promise.all(servers.map((server) => server.mode()))).every((mode) => mode !== 'not serving'), {
    timeoutMs: 10_000,
    message: 'not every member serves again',
  });
  t.is(await ensemble().leader(), newLeader);
});
