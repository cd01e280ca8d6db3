import test from 'ava';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { findFreePort, useZooKeeper, waitFor } from '@nodepool/testkit';
import { files } from './helpers.js';
import { staticRackConfig } from './helpers/static-rack-config.js';

const zk = useZooKeeper(test);
const bin = fileURLToPath(new URL('../src/bin/nodepool-launcher.ts', import.meta.url));

test('nodepool-launcher serves the web API on the configured port unless --no-webapp; the environment overrides the address', async (t) => {
  const port = await findFreePort();
  const paths = await files(t, {
    'nodepool.yaml': staticRackConfig(zk(), `/launcher-web-${Date.now()}`, { connectionPort: 1, more: `webapp:\n  port: ${port}\n  listen_address: 192.0.2.1\n` }),
  });
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', bin, '-c', paths['nodepool.yaml']!, '-f'], {
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NODEPOOL_WEB_LISTEN_ADDRESS: '127.0.0.1' },
  });
  t.teardown(() => child.kill('SIGKILL'));
  const ready = async () => (await fetch(`http://127.0.0.1:${port}/ready`).catch(() => undefined))?.status === 200;
  await waitFor(ready, { timeoutMs: 30_000 });
  t.deepEqual(await (await fetch(`http://127.0.0.1:${port}/label-list.json`)).json(), [{ label: 'rack' }]);
  child.kill('SIGTERM');
  const [code] = (await once(child, 'exit')) as [number];
  t.is(code, 0);
  await t.throwsAsync(fetch(`http://127.0.0.1:${port}/ready`));
});
