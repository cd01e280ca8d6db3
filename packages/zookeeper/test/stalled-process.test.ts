import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { connectClient } from './helpers/clients.js';

// The default tick (2 s) allows sessions up to 40 s.
const zk = useZooKeeper(test);

test('a process that stalled longer than the read timeout keeps its connection: the server is not blamed for time the client was not listening', async (t) => {
  const client = await connectClient(t, zk().connectString, { sessionTimeoutMs: 30_000 });
  const states: string[] = [];
  client.on('state', (state: string) => states.push(state));
  await client.create('/stall', { data: Buffer.from('x') });

  // The clock jumps as it does for a process that did not run for 25 s (more than the 20 s read
  // timeout of a 30 s session); in real time nothing was missed, so the connection is sound.
  const realNow = Date.now;
  const offset = 25_000;
  Date.now = () => realNow() + offset;
  t.teardown(() => {
    Date.now = realNow;
  });
  // A few ticks go by (each every 100 ms), then the client is asked for something.
  await new Promise((resolve) => setTimeout(resolve, 500));
  const { data } = await client.getData('/stall');
  t.is(data.toString(), 'x');
  await waitFor(() => client.state === 'connected');
  t.deepEqual(states, [], 'no suspension, no reconnection');
});
