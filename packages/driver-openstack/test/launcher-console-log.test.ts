/**
 * `console-log: true`: when a server fails its SSH check, the launcher logs its console, line by
 * line, before the attempt is unwound. In a file of its own: the test captures the process's log.
 */
import test from 'ava';
import { rootLogger } from '@nodepool/core';
import { launcherCluster } from '@nodepool/core/testing';
import drivers from '@nodepool/driver-openstack';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { openstackYaml, useFakeOpenStack } from './helpers.js';

const zk = useZooKeeper(test);

// Everything from info up is captured here; the console keeps printing at its own level.
const lines: string[] = [];
const root = rootLogger();
for (const transport of root.transports) transport.level ??= root.level;
root.level = 'info';
root.on('data', (info: { level: string; message: unknown }) => lines.push(`${info.level.toUpperCase()} ${String(info.message)}`));

test('the console of a server that fails its SSH check is logged, line by line, and the server deleted', async (t) => {
  // Every floating IP is 127.0.0.1, where port 1 refuses: the key scan cannot succeed.
  const fake = await useFakeOpenStack(t, { floatingAddress: '127.0.0.1', consoleOutput: 'Booting the fake kernel\nsshd: no host keys\nfake login:' });
  const yaml = openstackYaml(fake, { labelExtra: '            console-log: true\n            host-key-checking: true\n' })
    .replace('boot-timeout: 20', 'boot-timeout: 2')
    .replace('launch-retries: 2', 'launch-retries: 1')
    .replace('        username: cirros\n', '        username: cirros\n        connection-port: 1\n');
  const c = await launcherCluster(t, zk(), drivers);
  await c.launcher(yaml);
  const zuul = new ZuulClient(await c.client());
  const { result } = await zuul.runJob(['small'], { timeoutMs: 60_000 });
  t.is(result, 'NODE_FAILURE');
  t.is(fake.calls()['compute.POST.server_action'], 1, 'the console was read once');
  const serverLine = lines.find((line) => line.includes('Console log from server'));
  t.truthy(serverLine, lines.join('\n'));
  const after = lines.slice(lines.indexOf(serverLine!));
  for (const text of ['Booting the fake kernel', 'sshd: no host keys', 'fake login:']) t.true(after.some((line) => line.startsWith('INFO') && line.includes(text)), `no log line "${text}"`);
  await waitFor(() => fake.state().servers.length === 0, { timeoutMs: 20_000, message: 'the server was not deleted' });
});

test('without console-log, nothing is read from the console', async (t) => {
  const fake = await useFakeOpenStack(t, { floatingAddress: '127.0.0.1' });
  const yaml = openstackYaml(fake, { labelExtra: '            host-key-checking: true\n' })
    .replace('boot-timeout: 20', 'boot-timeout: 2')
    .replace('launch-retries: 2', 'launch-retries: 1')
    .replace('        username: cirros\n', '        username: cirros\n        connection-port: 1\n');
  const c = await launcherCluster(t, zk(), drivers);
  await c.launcher(yaml);
  const zuul = new ZuulClient(await c.client());
  t.is((await zuul.runJob(['small'], { timeoutMs: 60_000 })).result, 'NODE_FAILURE');
  t.is(fake.calls()['compute.POST.server_action'], undefined);
});
