import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import simDriver, { type SimProviderConfig } from '@nodepool/driver-sim';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: sim-small
  - name: sim-large
  - name: sim-built
diskimages:
  - name: built
    username: builder
    python-path: /usr/bin/python3
`;

// The example of the driver's README.
const docsExample = `${header}
providers:
  - name: sim
    driver: sim
    endpoint: http://127.0.0.1:8080
    cloud-images:
      - name: sim-base
      - name: pinned
        image-id: img-sim-base
    diskimages:
      - name: built
    pools:
      - name: main
        max-servers: 10
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
          - name: sim-large
            flavor: large
            cloud-image: pinned
            host-key-checking: false
            connection-port: 2222
            username: ubuntu
          - name: sim-built
            flavor: medium
            diskimage: built
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [simDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('sim') as SimProviderConfig;
  t.like(provider, {
    driver: 'sim',
    endpoint: 'http://127.0.0.1:8080',
    rate: 10,
    bootTimeout: 60,
    launchTimeout: 3600,
    launchRetries: 3,
    maxConcurrency: -1,
    priority: undefined,
    manageImages: true,
    diskimages: ['built'],
  });
  t.deepEqual([...provider.cloudImages.values()], [
    { name: 'sim-base', imageId: null },
    { name: 'pinned', imageId: 'img-sim-base' },
  ]);
  const pool = provider.pools.get('main')!;
  t.like(pool, { name: 'main', maxServers: 10, maxCores: Infinity, maxRam: Infinity, hostKeyChecking: true, nodeAttributes: null });
  t.deepEqual(pool.labels.get('sim-small'), {
    name: 'sim-small',
    flavor: 'small',
    cloudImage: 'sim-base',
    diskimage: undefined,
    hostKeyChecking: true,
    connectionType: 'ssh',
    connectionPort: 22,
    username: 'zuul',
    pythonPath: 'auto',
    shellType: null,
  });
  t.like(pool.labels.get('sim-large'), { hostKeyChecking: false, connectionPort: 2222, username: 'ubuntu' });
  t.like(pool.labels.get('sim-built'), { diskimage: 'built', cloudImage: undefined, username: 'builder', pythonPath: '/usr/bin/python3' });
});

test('reads every provider and pool setting', async (t) => {
  const result = await validateConfigText(
    `${header}
providers:
  - name: sim
    driver: sim
    endpoint: https://sim.example.com/api
    rate: '2.5'
    boot-timeout: 5
    launch-timeout: 30
    launch-retries: 1
    max-concurrency: 4
    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-cores: 8
        max-ram: 16384
        host-key-checking: false
        priority: 2
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
            connection-type: winrm
            python-path: /bin/python
            shell-type: cmd
`,
    [simDriver],
  );
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('sim') as SimProviderConfig;
  t.like(provider, { rate: 2.5, bootTimeout: 5, launchTimeout: 30, launchRetries: 1, maxConcurrency: 4, manageImages: false, diskimages: [] });
  const pool = provider.pools.get('main')!;
  t.like(pool, { maxCores: 8, maxRam: 16384, hostKeyChecking: false, priority: 2, maxServers: Infinity });
  t.like(pool.labels.get('sim-small'), { hostKeyChecking: false, connectionType: 'winrm', connectionPort: 5986, pythonPath: '/bin/python', shellType: 'cmd' });
});

const provider = (body: string): string => `${header}\nproviders:\n  - name: sim\n    driver: sim\n${body}`;
const endpoint = '    endpoint: http://127.0.0.1:8080\n    cloud-images:\n      - name: sim-base\n';
const poolWith = (labelYaml: string, poolExtra = ''): string => `    pools:\n      - name: main\n${poolExtra}        labels:\n${labelYaml}`;
const goodLabel = '          - name: sim-small\n            flavor: small\n            cloud-image: sim-base\n';

const invalid: [string, string, RegExp][] = [
  ['a provider without an endpoint', poolWith(goodLabel), /^nodepool\.yaml:\d+ providers\[0\]\.endpoint: required key not provided$/m],
  ['an endpoint that is not a URL', `    endpoint: 127.0.0.1:8080\n${poolWith(goodLabel)}`, /providers\[0\]\.endpoint: expected an http:\/\/ or https:\/\/ URL/],
  ['a provider without pools', endpoint, /providers\[0\]\.pools: required key not provided/],
  ['a rate that is not a number', `${endpoint}    rate: fast\n${poolWith(goodLabel)}`, /providers\[0\]\.rate: expected a number/],
  ['a boot timeout given as a decimal', `${endpoint}    boot-timeout: 1.5\n${poolWith(goodLabel)}`, /providers\[0\]\.boot-timeout: expected an integer, got the number 1\.5/],
  ['a pool without a name', `${endpoint}    pools:\n      - labels: []\n`, /pools\[0\]\.name: required key not provided/],
  ['a pool without labels', `${endpoint}    pools:\n      - name: main\n`, /pools\[0\]\.labels: required key not provided/],
  ['max-cores given as a string', `${endpoint}${poolWith(goodLabel, "        max-cores: 'many'\n")}`, /pools\[0\]\.max-cores: expected an integer/],
  ['host-key-checking given as a string', `${endpoint}${poolWith(goodLabel, "        host-key-checking: 'no'\n")}`, /pools\[0\]\.host-key-checking: expected a boolean/],
  ['a label without a flavor', `${endpoint}${poolWith('          - name: sim-small\n            cloud-image: sim-base\n')}`, /labels\[0\]\.flavor: required key not provided/],
  ['a label without an image', `${endpoint}${poolWith('          - name: sim-small\n            flavor: small\n')}`, /labels\[0\]: Provide either "cloud-image" or "diskimage"/],
  [
    'a label with both a cloud image and a diskimage',
    `${endpoint}${poolWith(`${goodLabel}            diskimage: built\n`)}`,
    /labels\[0\]\.diskimage: cannot be combined with cloud-image/,
  ],
  ['an unknown label key', `${endpoint}${poolWith(`${goodLabel}            instance-type: small\n`)}`, /labels\[0\]\.instance-type: unknown key/],
  ['a connection port given as a string', `${endpoint}${poolWith(`${goodLabel}            connection-port: ssh\n`)}`, /labels\[0\]\.connection-port: expected an integer/],
  ['a cloud image without a name', `    endpoint: http://x\n    cloud-images:\n      - image-id: img-1\n${poolWith(goodLabel)}`, /cloud-images\[0\]\.name: required key not provided/],
  ['an unknown cloud image key', `    endpoint: http://x\n    cloud-images:\n      - name: sim-base\n        username: me\n${poolWith(goodLabel)}`, /cloud-images\[0\]\.username: unknown key/],
  ['an unknown provider key', `${endpoint}    region: us\n${poolWith(goodLabel)}`, /providers\[0\]\.region: unknown key/],
];

for (const [title, body, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, provider(body), [simDriver], message));
}

test('a label whose cloud image the provider lacks passes validation but stops loading', async (t) => {
  const result = await validateConfigText(provider(`${endpoint}${poolWith('          - name: sim-small\n            flavor: small\n            cloud-image: nowhere\n')}`), [simDriver]);
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /labels\[0\]\.cloud-image: cloud-image nowhere does not exist in provider sim but is referenced in label sim-small/);
});

test('a label whose diskimage the provider does not take passes validation but stops loading', async (t) => {
  const result = await validateConfigText(provider(`${endpoint}${poolWith('          - name: sim-built\n            flavor: small\n            diskimage: built\n')}`), [simDriver]);
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /labels\[0\]\.diskimage: diskimage built does not exist in provider sim but is referenced in label sim-built/);
});

test('a rate that is not positive stops loading', async (t) => {
  const result = await validateConfigText(provider(`${endpoint}    rate: 0\n${poolWith(goodLabel)}`), [simDriver]);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /providers\[0\]\.rate: rate must be a positive number of calls per second, not 0/);
});
