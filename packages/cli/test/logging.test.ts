import test from 'ava';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { useZooKeeper } from '@nodepool/testkit';
import { files } from './helpers.js';
import { staticRackConfig } from './helpers/static-rack-config.js';

const zk = useZooKeeper(test);
const bin = fileURLToPath(new URL('../src/bin/nodepool.ts', import.meta.url));

/** The real `nodepool` command, with the environment an operator has (no log level set). */
async function nodepoolCommand(...argv: string[]): Promise<{ stdout: string; stderr: string }> {
  const { NODEPOOL_LOG_LEVEL: _ignored, ...env } = process.env;
  return promisify(execFile)(process.execPath, ['--import=tsx', '--conditions=source', bin, ...argv], { env });
}

const config = (chroot: string): string => staticRackConfig(zk(), chroot);

test('nodepool list --json prints only JSON on stdout and no info lines on stderr', async (t) => {
  const paths = await files(t, { 'nodepool.yaml': config(`/logging-${Date.now()}`) });
  const { stdout, stderr } = await nodepoolCommand('-c', paths['nodepool.yaml']!, 'list', '--json');
  t.deepEqual(JSON.parse(stdout), []);
  t.notRegex(stderr, / (INFO|DEBUG) /, 'loading the static driver is logged at info, below the default');
});

test('--debug logs on stderr, and stdout still holds only the JSON', async (t) => {
  const paths = await files(t, { 'nodepool.yaml': config(`/logging-${Date.now()}`) });
  const { stdout, stderr } = await nodepoolCommand('--debug', '-c', paths['nodepool.yaml']!, 'list', '--json');
  t.deepEqual(JSON.parse(stdout), []);
  t.regex(stderr, / INFO nodepool\.driver\.DriverRegistry: loaded driver \{"driver":"static"/);
});

test('config-validate logs only warnings by default, and more with --debug', async (t) => {
  const paths = await files(t, { 'nodepool.yaml': config('/unused') });
  const quiet = await nodepoolCommand('-c', paths['nodepool.yaml']!, 'config-validate');
  t.notRegex(quiet.stderr, / INFO /);
  const loud = await nodepoolCommand('--debug', '-c', paths['nodepool.yaml']!, 'config-validate');
  t.regex(loud.stderr, / INFO .*loaded driver/);
  t.regex(loud.stderr, /the configuration is valid/);
});
