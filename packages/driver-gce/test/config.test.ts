import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import gceDriver, { type GceProviderConfig } from '@nodepool/driver-gce';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: debian-stretch
`;

// The example of the GCE Driver docs page.
const docsExample = `${header}
providers:
  - name: gce-uscentral1
    driver: gce
    project: nodepool-123456
    region: us-central1
    zone: us-central1-a
    cloud-images:
      - name: debian-stretch
        image-project: debian-cloud
        image-family: debian-9
        username: zuul
        key: ssh-rsa ...
    pools:
      - name: main
        max-servers: 8
        labels:
          - name: debian-stretch
            instance-type: f1-micro
            cloud-image: debian-stretch
            volume-type: standard
            volume-size: 10
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [gceDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('gce-uscentral1') as GceProviderConfig;
  t.is(provider.driver, 'gce');
  t.is(provider.project, 'nodepool-123456');
  t.is(provider.zone, 'us-central1-a');
  t.is(provider.bootTimeout, 60);
  t.is(provider.launchTimeout, 3600);
  t.is(provider.launchRetries, 3);
  t.is(provider.rate, 2, "9.0.0's rate default");
  t.is(provider.endpointUrl, null);
  t.is(provider.maxConcurrency, -1);
  t.false(provider.manageImages);
  t.deepEqual(provider.diskimages, []);
  t.deepEqual(provider.cloudImages.get('debian-stretch'), {
    name: 'debian-stretch',
    imageId: null,
    imageProject: 'debian-cloud',
    imageFamily: 'debian-9',
    username: 'zuul',
    key: 'ssh-rsa ...',
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 8);
  t.false(pool.useInternalIp);
  t.true(pool.hostKeyChecking);
  t.deepEqual(pool.labels.get('debian-stretch'), {
    name: 'debian-stretch',
    cloudImage: 'debian-stretch',
    instanceType: 'f1-micro',
    volumeType: 'standard',
    volumeSize: 10,
    hostKeyChecking: true,
    poolName: 'main',
    username: 'zuul',
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
});

test('a minimal provider gets the documented defaults', async (t) => {
  const result = await validateConfigText(
    `${header}
providers:
  - name: g
    driver: gce
    project: p
    region: r
    zone: z
    cloud-images:
      - name: debian-stretch
        image-id: projects/debian-cloud/global/images/debian-9
        connection-type: winrm
    pools:
      - name: main
        use-internal-ip: true
        labels:
          - name: debian-stretch
            instance-type: f1-micro
            cloud-image: debian-stretch
`,
    [gceDriver],
  );
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('g') as GceProviderConfig;
  t.is(provider.cloudImages.get('debian-stretch')!.connectionPort, 5986);
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, Infinity);
  t.true(pool.useInternalIp);
  const label = pool.labels.get('debian-stretch')!;
  t.is(label.volumeType, 'pd-standard');
  t.is(label.volumeSize, 10);
});

const provider = (body: string): string => `${header}\nproviders:\n  - name: g\n    driver: gce\n${body}`;
const required = '    project: p\n    region: r\n    zone: z\n';
const poolWith = (labelYaml: string, poolExtra = ''): string =>
  `    cloud-images:\n      - name: debian-stretch\n    pools:\n      - name: main\n${poolExtra}        labels:\n${labelYaml}`;
const goodLabel = '          - name: debian-stretch\n            instance-type: f1-micro\n            cloud-image: debian-stretch\n';

const invalid: [string, string, RegExp][] = [
  ['a provider without a region', `    project: p\n    zone: z\n${poolWith(goodLabel)}`, /^nodepool\.yaml:\d+ providers\[0\]\.region: required key not provided$/m],
  ['a provider without a project', `    region: r\n    zone: z\n${poolWith(goodLabel)}`, /providers\[0\]\.project: required key not provided/],
  ['a provider without pools', required, /providers\[0\]\.pools: required key not provided/],
  ['a pool without a name', `${required}    pools:\n      - labels: []\n`, /providers\[0\]\.pools\[0\]\.name: required key not provided/],
  ['a label without an instance type', `${required}${poolWith('          - name: debian-stretch\n            cloud-image: debian-stretch\n')}`, /labels\[0\]\.instance-type: required key not provided/],
  ['a label without a cloud image', `${required}${poolWith('          - name: debian-stretch\n            instance-type: f1-micro\n')}`, /labels\[0\]\.cloud-image: required key not provided/],
  ['a volume size given as a decimal', `${required}${poolWith(`${goodLabel}            volume-size: 10.5\n`)}`, /labels\[0\]\.volume-size: expected an integer, got the number 10\.5/],
  ['a volume type that is not a string', `${required}${poolWith(`${goodLabel}            volume-type: 5\n`)}`, /labels\[0\]\.volume-type: expected a string/],
  ['the rate key, which load reads but the schema lacks', `${required}    rate: 2\n${poolWith(goodLabel)}`, /providers\[0\]\.rate: unknown key/],
  ['host-key-checking on a pool, documented but not in the schema', `${required}${poolWith(goodLabel, '        host-key-checking: false\n')}`, /pools\[0\]\.host-key-checking: unknown key/],
  ['a network on a pool, documented but not in the schema', `${required}${poolWith(goodLabel, '        network: default\n')}`, /pools\[0\]\.network: unknown key/],
  ['an unknown label key', `${required}${poolWith(`${goodLabel}            flavor-name: small\n`)}`, /labels\[0\]\.flavor-name: unknown key/],
  ['an unknown cloud image key', `${required}    cloud-images:\n      - name: x\n        image-name: y\n    pools: []\n`, /cloud-images\[0\]\.image-name: unknown key/],
  ['cloud-images without a value', `${required}    cloud-images:\n    pools: []\n`, /providers\[0\]\.cloud-images: expected a list, got nothing/],
  ['diskimages, which gce does not upload', `${required}    diskimages:\n      - name: x\n    pools: []\n`, /providers\[0\]\.diskimages: unknown key/],
  ['use-internal-ip given as a quoted string', `${required}${poolWith(goodLabel, "        use-internal-ip: 'yes'\n")}`, /use-internal-ip: expected a boolean/],
];

for (const [title, body, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, provider(body), [gceDriver], message));
}

test('an integer where the schema wants one accepts a boolean, as Python does', async (t) => {
  const result = await validateConfigText(provider(`${required}    boot-timeout: yes\n${poolWith(goodLabel)}`), [gceDriver]);
  t.deepEqual(result.messages, []);
  t.is((result.config!.providers.get('g') as GceProviderConfig).bootTimeout, 1);
});

test('a label whose cloud image the provider lacks passes validation but stops loading', async (t) => {
  const result = await validateConfigText(
    provider(`${required}${poolWith('          - name: debian-stretch\n            instance-type: f1-micro\n            cloud-image: nowhere\n')}`),
    [gceDriver],
  );
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /labels\[0\]\.cloud-image: cloud-image nowhere does not exist in provider g but is referenced in label debian-stretch/);
});

test('a cloud image without a name passes validation but stops loading', async (t) => {
  const result = await validateConfigText(provider(`${required}    cloud-images:\n      - image-id: x\n    pools: []\n`), [gceDriver]);
  t.true(result.valid, 'the schema does not require the name');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /providers\[0\]\.cloud-images\[0\]\.name: required key not provided/);
});
