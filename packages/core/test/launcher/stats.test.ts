import test from 'ava';
import { createSocket, type Socket } from 'node:dgram';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { createStats } from '@nodepool/core';
import { createFakeDriver, launcherCluster } from '@nodepool/core/testing';

const zk = useZooKeeper(test);

/** A statsd server on loopback that keeps every line it receives. */
async function statsdServer(t: import('ava').ExecutionContext): Promise<{ port: number; lines: string[] }> {
  const socket: Socket = createSocket('udp4');
  const lines: string[] = [];
  socket.on('message', (message) => lines.push(...message.toString().split('\n').filter(Boolean)));
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  t.teardown(() => socket.close());
  return { port: socket.address().port, lines };
}

const body = `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 10
        labels:
          - name: small
`;

test('launch results and node gauges are sent with the original names', async (t) => {
  const statsd = await statsdServer(t);
  const { driver } = createFakeDriver();
  const c = await launcherCluster(t, zk(), [driver]);
  await c.launcher(body, { stats: createStats({ host: '127.0.0.1', port: statsd.port, prefix: null }, {}) });
  const zuul = new ZuulClient(await c.client(), { systemId: 'a'.repeat(32) });
  t.is((await zuul.runJob(['small'], { timeoutMs: 10_000 })).result, 'SUCCESS');
  const has = (pattern: RegExp) => statsd.lines.some((line) => pattern.test(line));
  await waitFor(() => has(/^nodepool\.nodes\.ready:\d+\|g$/) && has(/^nodepool\.launch\.ready:1\|c$/), { timeoutMs: 10_000 });
  t.true(has(/^nodepool\.launch\.ready:\d+\|ms$/));
  t.true(has(/^nodepool\.launch\.provider\.cloud-a\.ready:1\|c$/));
  t.true(has(new RegExp(`^nodepool\\.launch\\.requestor\\.${'a'.repeat(32)}\\.ready:1\\|c$`)));
  t.true(has(/^nodepool\.provider\.cloud-a\.max_servers:10\|g$/));
  // Zero-filled for every state, label and provider of the registered pools.
  t.true(has(/^nodepool\.nodes\.hold:0\|g$/));
  t.true(has(/^nodepool\.label\.small\.nodes\.aborted:0\|g$/));
  t.true(has(/^nodepool\.provider\.cloud-a\.nodes\.deleted:0\|g$/));
});

test('only the launcher that wins the stats election sends node gauges', async (t) => {
  const first = await statsdServer(t);
  const second = await statsdServer(t);
  const { driver } = createFakeDriver();
  const c = await launcherCluster(t, zk(), [driver]);
  await c.launcher(body, { hostname: 'nl01', stats: createStats({ host: '127.0.0.1', port: first.port, prefix: null }, {}) });
  await c.launcher(body, { hostname: 'nl02', stats: createStats({ host: '127.0.0.1', port: second.port, prefix: null }, {}) });
  const zuul = new ZuulClient(await c.client());
  for (let i = 0; i < 3; i++) t.is((await zuul.runJob(['small'], { timeoutMs: 10_000 })).result, 'SUCCESS');
  const gauges = (lines: string[]) => lines.filter((line) => line.startsWith('nodepool.nodes.')).length;
  await waitFor(() => gauges(first.lines) + gauges(second.lines) > 0, { timeoutMs: 10_000 });
  t.true(gauges(first.lines) === 0 || gauges(second.lines) === 0, `both sent node gauges (${gauges(first.lines)} and ${gauges(second.lines)})`);
  // Both pools send their configuration gauges.
  await waitFor(() => [first, second].every((server) => server.lines.some((line) => line.startsWith('nodepool.provider.cloud-a.max_servers:'))), { timeoutMs: 10_000 });
});
