import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import metastaticDriver, { type MetastaticProviderConfig } from '@nodepool/driver-metastatic';

const drivers = [metastaticDriver];

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: small-node
  - name: medium-node
  - name: large-node
`;

// The example of the Metastatic Driver docs page.
const docsExample = `${header}
providers:
  - name: meta-provider
    driver: metastatic
    pools:
      - name: main
        max-servers: 10
        labels:
          - name: small-node
            backing-label: large-node
            max-parallel-jobs: 2
            grace-time: 600
`;

function provider(result: Awaited<ReturnType<typeof validateConfigText>>, name: string): MetastaticProviderConfig {
  return result.config!.providers.get(name) as MetastaticProviderConfig;
}

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, drivers);
  t.deepEqual(result.messages, []);
  const meta = provider(result, 'meta-provider');
  t.is(meta.driver, 'metastatic');
  t.false(meta.manageImages);
  t.deepEqual(meta.diskimages, []);
  t.is(meta.maxConcurrency, -1);
  t.is(meta.bootTimeout, 120);
  t.is(meta.launchTimeout, 3600);
  t.is(meta.launchRetries, 3);
  t.is(meta.rate, 1);
  const pool = meta.pools.get('main')!;
  t.is(pool.maxServers, 10);
  t.false(pool.hostKeyChecking);
  t.is(pool.nodeAttributes, null);
  t.is(pool.priority, undefined);
  t.deepEqual(pool.labels.get('small-node'), {
    name: 'small-node',
    backingLabel: 'large-node',
    maxParallelJobs: 2,
    graceTime: 600,
    hostKeyChecking: false,
    cloudImage: 'unused',
    username: 'unknown',
    pythonPath: 'unknown',
    shellType: 'unknown',
    connectionType: 'unknown',
  });
  t.true(meta.bootTimeoutAfterReady);
});

test('provider timeouts and retries fail config-validate but load, as in 9.0.0; host-key-checking is our opt-in', async (t) => {
  const result = await validateConfigText(
    `${header}
providers:
  - name: meta-provider
    driver: metastatic
    boot-timeout: 30
    launch-timeout: 600
    launch-retries: 5
    max-concurrency: 4
    priority: 50
    pools:
      - name: main
        host-key-checking: true
        node-attributes: {zone: a}
        labels:
          - name: small-node
            backing-label: large-node
          - name: medium-node
            backing-label: other-node
            host-key-checking: false
`,
    drivers,
  );
  t.false(result.valid);
  t.deepEqual(result.messages, [
    "nodepool.yaml:12 providers[0].boot-timeout: unknown key (not allowed here; Nodepool 9.0.0's daemons read it nevertheless)",
    "nodepool.yaml:13 providers[0].launch-timeout: unknown key (not allowed here; Nodepool 9.0.0's daemons read it nevertheless)",
    "nodepool.yaml:14 providers[0].launch-retries: unknown key (not allowed here; Nodepool 9.0.0's daemons read it nevertheless)",
  ]);
  const meta = provider(result, 'meta-provider');
  t.is(meta.bootTimeout, 30);
  t.is(meta.launchTimeout, 600);
  t.is(meta.launchRetries, 5);
  t.is(meta.maxConcurrency, 4);
  t.is(meta.priority, 50);
  const pool = meta.pools.get('main')!;
  t.is(pool.maxServers, Infinity);
  t.true(pool.hostKeyChecking);
  t.true(pool.labels.get('small-node')!.hostKeyChecking, 'inherited from the pool');
  t.false(pool.labels.get('medium-node')!.hostKeyChecking);
});

function withPool(poolYaml: string): string {
  return `${header}\nproviders:\n  - name: m\n    driver: metastatic\n    pools:\n${poolYaml}`;
}

const invalid: [string, string, RegExp][] = [
  ['a label without backing-label', '      - name: main\n        labels:\n          - name: small-node\n', /labels\[0\]\.backing-label: required key not provided/],
  ['a label without a name', '      - name: main\n        labels:\n          - backing-label: large-node\n', /labels\[0\]\.name: required key not provided/],
  ['a pool without a name', '      - labels: []\n', /pools\[0\]\.name: required key not provided/],
  ['a pool without labels', '      - name: main\n', /pools\[0\]\.labels: required key not provided/],
  [
    'a grace-time given as a decimal',
    '      - name: main\n        labels:\n          - {name: small-node, backing-label: large-node, grace-time: 1.5}\n',
    /labels\[0\]\.grace-time: expected an integer/,
  ],
  [
    'a max-parallel-jobs given as a string',
    '      - name: main\n        labels:\n          - {name: small-node, backing-label: large-node, max-parallel-jobs: "2"}\n',
    /labels\[0\]\.max-parallel-jobs: expected an integer/,
  ],
  ['a host-key-checking given as 1', '      - name: main\n        host-key-checking: 1\n        labels: []\n', /pools\[0\]\.host-key-checking: expected a boolean/],
  ['a backing-label given as a list', '      - name: main\n        labels:\n          - {name: small-node, backing-label: [large-node]}\n', /labels\[0\]\.backing-label: expected a string/],
  [
    'an unknown label key',
    '      - name: main\n        labels:\n          - {name: small-node, backing-label: large-node, min-ram: 1}\n',
    /labels\[0\]\.min-ram: unknown key/,
  ],
  ['an unknown pool key', '      - name: main\n        max-cores: 4\n        labels: []\n', /pools\[0\]\.max-cores: unknown key/],
];

for (const [title, poolYaml, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, withPool(poolYaml), drivers, message));
}

test('rejects a provider without pools', async (t) => {
  const result = await validateConfigText(`${header}\nproviders:\n  - name: m\n    driver: metastatic\n`, drivers);
  t.false(result.valid);
  t.deepEqual(result.messages, ['nodepool.yaml:10 providers[0].pools: required key not provided']);
});

test('rejects provider keys the metastatic schema does not have, rate included', async (t) => {
  for (const key of ['rate: 1', 'cloud: c', 'image-name-format: x']) {
    const result = await validateConfigText(`${header}\nproviders:\n  - name: m\n    driver: metastatic\n    ${key}\n    pools: []\n`, drivers);
    t.false(result.valid, key);
    t.regex(result.messages.join('\n'), new RegExp(`providers\\[0\\]\\.${key.split(':')[0]}: unknown key`), key);
  }
});

test('a label missing from the top-level labels passes validation but stops loading', async (t) => {
  const result = await validateConfigText(withPool('      - name: main\n        labels:\n          - {name: tiny-node, backing-label: large-node}\n'), drivers);
  t.true(result.valid, 'the original validator checks pool labels of openstack providers only');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /label "tiny-node" is not defined in the top-level labels/);
});

test('labels sharing a backing label with different settings stop loading', async (t) => {
  const result = await validateConfigText(
    withPool(
      '      - name: one\n        labels:\n          - {name: small-node, backing-label: large-node, max-parallel-jobs: 2}\n' +
        '      - name: two\n        labels:\n          - {name: medium-node, backing-label: large-node, grace-time: 10}\n',
    ),
    drivers,
  );
  t.true(result.valid);
  t.is(result.config, undefined);
  t.deepEqual(result.messages, [
    'nodepool.yaml:18 providers[0].pools[1].labels[0]: labels with backing-label "large-node" must have identical backing settings; max-parallel-jobs, grace-time differ from providers[0].pools[0].labels[0]',
  ]);
});

test('labels sharing a backing label with the same settings load', async (t) => {
  const result = await validateConfigText(
    withPool('      - name: main\n        labels:\n          - {name: small-node, backing-label: large-node, grace-time: 10}\n          - {name: medium-node, backing-label: large-node, grace-time: 10}\n'),
    drivers,
  );
  t.deepEqual(result.messages, []);
  t.deepEqual([...provider(result, 'm').pools.get('main')!.labels.keys()], ['small-node', 'medium-node']);
});

test('max-age and min-retention-time, keys of later versions, are rejected as by 9.0.0', async (t) => {
  const result = await validateConfigText(
    withPool('      - name: main\n        labels:\n          - {name: small-node, backing-label: large-node, min-retention-time: 600, max-age: 60}\n'),
    drivers,
  );
  t.false(result.valid);
  t.regex(result.messages.join('\n'), /labels\[0\]\.min-retention-time: unknown key/);
  t.regex(result.messages.join('\n'), /labels\[0\]\.max-age: unknown key/);
});
