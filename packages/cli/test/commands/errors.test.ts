import test from 'ava';
import { findFreePort, useZooKeeper } from '@nodepool/testkit';
import { files, nodepool } from '../helpers.js';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

const COMMANDS = [
  'list',
  'request-list',
  'image-list',
  'dib-image-list',
  'image-status',
  'alien-image-list',
  'image-build',
  'image-pause',
  'image-unpause',
  'image-delete',
  'dib-image-delete',
  'delete',
  'hold',
  'info',
  'erase',
  'export-image-data',
  'import-image-data',
  'config-validate',
  'request',
];

test('every command has --help', async (t) => {
  for (const command of COMMANDS) {
    const result = await nodepool(command, '--help');
    t.is(result.code, 0, command);
    t.true(result.out[0]!.startsWith(`Usage: nodepool ${command} `), `${command}: ${result.out[0]}`);
  }
  const top = (await nodepool('--help')).out.join('\n');
  for (const command of COMMANDS) t.regex(top, new RegExp(`^  ${command}\\b`, 'm'), command);
});

test('an unreachable ZooKeeper is one line naming the servers tried, and exit 1', async (t) => {
  const port = await findFreePort();
  const paths = await files(t, { 'nodepool.yaml': `zookeeper-servers:\n  - host: 127.0.0.1\n    port: ${port}\nzookeeper-timeout: 1\nlabels: []\nproviders: []\n` });
  const started = Date.now();
  const result = await nodepool('-c', paths['nodepool.yaml']!, 'list');
  t.is(result.code, 1);
  t.deepEqual(result.out, []);
  t.is(result.err.length, 1);
  t.regex(result.err[0]!, new RegExp(`^nodepool: cannot reach ZooKeeper: could not connect to ZooKeeper within 5000 ms \\(tried 127\\.0\\.0\\.1:${port}\\)`));
  t.true(Date.now() - started < 15_000);
});

test('an invalid configuration is one line, and exit 1', async (t) => {
  const paths = await files(t, { 'nodepool.yaml': 'zookeeper-servers: 7\n' });
  const result = await nodepool('-c', paths['nodepool.yaml']!, 'request-list');
  t.is(result.code, 1);
  t.is(result.err.length, 1);
  t.regex(result.err[0]!, /^nodepool: .*nodepool\.yaml:1 zookeeper-servers: /);
});

test('a missing argument is reported with the usage, exit 1', async (t) => {
  const f = await cliFixture(t, zk(), { seed: false });
  const result = await f.run('hold');
  t.is(result.code, 1);
  t.is(result.err[0], "error: missing required argument 'id'");
});
