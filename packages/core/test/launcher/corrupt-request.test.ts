/**
 * A request record that does not match the protocol, written to a running launcher (issue 13,
 * part 3): logged once with its path and skipped, never rewritten or fulfilled, while the
 * requests behind it are served.
 */
import test from 'ava';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { createFakeDriver, launcherCluster } from '@nodepool/core/testing';
import { captureLogEntries, type LogEntry } from './helpers/gated-driver.js';

const zk = useZooKeeper(test);
const log = captureLogEntries();

const config = `
labels:
  - name: small
providers:
  - name: cloud-a
    driver: fakecloud
    pools:
      - name: main
        max-servers: 5
        labels:
          - name: small
`;

test('a request whose labels are not strings stays untouched and is logged once with its path; the next request is served', async (t) => {
  const { driver } = createFakeDriver();
  const c = await launcherCluster(t, zk(), [driver]);
  await c.launcher(config);
  const client = await c.client();
  const zuul = new ZuulClient(client);
  const good = await zuul.requestNodes(['small']);
  const corruptData = JSON.stringify({ ...good.document, node_types: [42, null, { x: [] }] });
  // Ahead of the next one in the queue (a higher priority).
  const corruptPath = await client.create('/nodepool/requests/100-', { data: corruptData, mode: 'persistent-sequential' });
  const next = await zuul.requestNodes(['small']);

  t.is((await zuul.waitForRequest(good, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.is((await zuul.waitForRequest(next, { timeoutMs: 30_000 })).state, 'fulfilled');
  const { data, stat } = await client.getData(corruptPath);
  t.is(data.toString(), corruptData);
  t.is(stat.version, 0, 'the corrupt request was rewritten');
  const id = corruptPath.slice('/nodepool/requests/'.length);
  t.is(await client.exists(`/nodepool/requests-lock/${id}`), null, 'the corrupt request was locked');
  const warnings = (): LogEntry[] => log.filter((entry) => entry.message === 'skipping corrupt record' && entry.path === corruptPath);
  await waitFor(() => warnings().length > 0, { timeoutMs: 30_000, message: 'the corrupt request was not logged' });
  t.is(warnings().length, 1);
  t.regex(String(warnings()[0]?.reason), /node_types/);
});
