import test from 'ava';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { fileURLToPath } from 'node:url';
import { files, nodepool } from '../helpers.js';

const valid = `
zookeeper-servers:
  - host: zk.example.com
labels:
  - name: small
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - name: host1.example.com
            labels: small
`;

const invalid = `
labels:
  - name: small
    min-ready: many
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - name: host1.example.com
            labels: small
            connection-port: ssh
  - name: elsewhere
    driver: nimbus
`;

test('a valid file exits 0 and says so', async (t) => {
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': valid });
  const result = await nodepool('config-validate', '-c', config!);
  t.is(result.code, 0);
  t.deepEqual(result.out, []);
  t.regex(result.err.join('\n'), /the configuration is valid/);
});

test('an invalid file exits 1 and prints every error with file, line and key path', async (t) => {
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': invalid });
  const result = await nodepool('-c', config!, 'config-validate');
  t.is(result.code, 1);
  t.is(result.out.length, 3);
  t.regex(result.out[0]!, /nodepool\.yaml:4 labels\[0\]\.min-ready: expected an integer, got the string "many"$/);
  t.regex(result.out[1]!, /nodepool\.yaml:13 providers\[0\]\.pools\[0\]\.nodes\[0\]\.connection-port: expected an integer/);
  t.regex(result.out[2]!, /nodepool\.yaml:15 providers\[1\]\.driver: Driver "nimbus" could not be found\./);
  t.regex(result.out[2]!, /Drivers found: .*static/);
  t.regex(result.err.join('\n'), /3 errors; the configuration is not valid/);
});

test('problems only the daemons check are listed without changing the verdict', async (t) => {
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': valid.replace('labels: small', 'labels: missing') });
  const result = await nodepool('config-validate', '-c', config!);
  t.is(result.code, 0);
  t.regex(result.out[0]!, /label "missing" is not defined in the top-level labels \(the launcher and builder will refuse to load this\)/);
});

test('the secure file is read with -s and its problems are named by its own path', async (t) => {
  const paths = await files(t, { 'nodepool.yaml': valid, 'secure.conf': 'diskimages:\n  - name: ghost\n    env-vars: {A: b}\n' });
  const result = await nodepool('config-validate', '-c', paths['nodepool.yaml']!, '-s', paths['secure.conf']!);
  t.is(result.code, 0);
  t.regex(result.out[0]!, /secure\.conf:2 diskimages\[0\]\.name: unknown diskimage ghost/);
});

test('a missing file is one clear line and exit 1', async (t) => {
  const result = await nodepool('config-validate', '-c', '/nonexistent/nodepool.yaml');
  t.is(result.code, 1);
  t.deepEqual(result.out, ['/nonexistent/nodepool.yaml cannot read the file: ENOENT: no such file or directory, open \'/nonexistent/nodepool.yaml\'']);
});

test('the real command runs from the shell with the same verdicts', async (t) => {
  const { 'nodepool.yaml': config } = await files(t, { 'nodepool.yaml': invalid });
  const bin = fileURLToPath(new URL('../../src/bin/nodepool.ts', import.meta.url));
  const run = promisify(execFile);
  const error = await t.throwsAsync(run(process.execPath, ['--import=tsx', '--conditions=source', bin, 'config-validate', '-c', config!]));
  t.is((error as unknown as { code: number }).code, 1);
  t.regex((error as unknown as { stdout: string }).stdout, /min-ready: expected an integer/);
  t.notRegex((error as unknown as { stderr: string }).stderr, /\n\s+at /, 'no stack trace');
});

test('--help lists the command and --version prints the version', async (t) => {
  const help = await nodepool('--help');
  t.is(help.code, 0);
  t.regex(help.out.join('\n'), /config-validate/);
  const version = await nodepool('--version');
  t.regex(version.out.join('\n'), /^Nodepool version: \d+\.\d+\.\d+$/);
});
