import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import staticDriver, { type StaticProviderConfig } from '@nodepool/driver-static';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: trusty-static
  - name: windows-static
`;

// The example of the Static Driver docs page.
const docsExample = `${header}
providers:
  - name: static-rack
    driver: static
    pools:
      - name: main
        node-attributes:
          executor-zone: rack-1
        nodes:
          - name: trusty.example.com
            labels: trusty-static
            timeout: 13
            connection-port: 22022
            host-key: fake-key
            host-key-checking: True
            username: zuul
            max-parallel-jobs: 1
          - name: windows.example.com
            labels: windows-static
            timeout: 13
            connection-type: winrm
            connection-port: 5986
            username: zuul
            shell-type: cmd
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [staticDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('static-rack') as StaticProviderConfig;
  const pool = provider.pools.get('main')!;
  t.deepEqual([...pool.labels.keys()], ['trusty-static', 'windows-static']);
  t.is(pool.maxServers, Infinity);
  t.deepEqual(pool.nodeAttributes, { 'executor-zone': 'rack-1' });
  const [trusty, windows] = pool.nodes;
  t.deepEqual(trusty!.hostKeys, ['fake-key']);
  t.is(trusty!.connectionPort, 22022);
  t.is(trusty!.pythonPath, 'auto');
  t.is(windows!.connectionType, 'winrm');
  t.true(windows!.hostKeyChecking);
  t.is(windows!.shellType, 'cmd');
});

test('labels may be a list or a space-separated string', async (t) => {
  const result = await validateConfigText(
    `${header}
providers:
  - name: p
    driver: static
    pools:
      - name: main
        nodes:
          - name: a
            labels: [trusty-static, windows-static]
          - name: b
            labels: trusty-static windows-static
`,
    [staticDriver],
  );
  const nodes = (result.config!.providers.get('p') as StaticProviderConfig).pools.get('main')!.nodes;
  t.deepEqual(nodes.map((node) => node.labels), [['trusty-static', 'windows-static'], ['trusty-static', 'windows-static']]);
});

const invalid: [string, string, RegExp][] = [
  ['a node without labels', `          - name: a\n`, /nodes\[0\]\.labels: required key not provided/],
  ['a node without a name', `          - labels: trusty-static\n`, /nodes\[0\]\.name: required key not provided/],
  ['a port that is not a number', `          - name: a\n            labels: trusty-static\n            connection-port: twenty-two\n`, /connection-port: expected an integer/],
  ['an unknown node key', `          - name: a\n            labels: trusty-static\n            hostname: x\n`, /nodes\[0\]\.hostname: unknown key/],
  ['a timeout given as a decimal', `          - name: a\n            labels: trusty-static\n            timeout: 1.5\n`, /timeout: expected an integer/],
];

for (const [title, nodeYaml, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, `${header}\nproviders:\n  - name: p\n    driver: static\n    pools:\n      - name: main\n        nodes:\n${nodeYaml}`, [staticDriver], message));
}

test('rejects provider keys the static driver does not have', async (t) => {
  const result = await validateConfigText(`${header}\nproviders:\n  - name: p\n    driver: static\n    boot-timeout: 60\n    pools: []\n`, [staticDriver]);
  t.false(result.valid);
  t.regex(result.messages[0]!, /^nodepool\.yaml:\d+ providers\[0\]\.boot-timeout: unknown key/);
});

test('a label missing from the top-level labels passes validation but stops loading', async (t) => {
  const result = await validateConfigText(`${header}\nproviders:\n  - name: p\n    driver: static\n    pools:\n      - name: main\n        nodes:\n          - name: a\n            labels: nowhere\n`, [staticDriver]);
  t.true(result.valid, 'the original validator does not check this for static');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /label "nowhere" is not defined in the top-level labels/);
});

test('the same host listed twice is a load error', async (t) => {
  const result = await validateConfigText(`${header}\nproviders:\n  - name: p\n    driver: static\n    pools:\n      - name: main\n        nodes:\n          - {name: a, labels: trusty-static}\n          - {name: a, labels: windows-static}\n`, [staticDriver]);
  t.regex(result.messages.join('\n'), /nodes\[1\]\.name: host a \(port 22, user zuul\) is listed twice/);
});

test("ssh-port, the old spelling 9.0.0's load still reads, fails config-validate yet sets the port", async (t) => {
  const result = await validateConfigText(
    `${header}\nproviders:\n  - name: s\n    driver: static\n    pools:\n      - name: main\n        nodes:\n          - name: host.example.com\n            labels: trusty-static\n            ssh-port: 2222\n`,
    [staticDriver],
  );
  t.false(result.valid);
  t.deepEqual(result.messages, ["nodepool.yaml:16 providers[0].pools[0].nodes[0].ssh-port: unknown key (not allowed here; Nodepool 9.0.0's daemons read it nevertheless)"]);
  const provider = result.config!.providers.get('s') as StaticProviderConfig;
  t.is(provider.pools.get('main')!.nodes[0]!.connectionPort, 2222);
});
