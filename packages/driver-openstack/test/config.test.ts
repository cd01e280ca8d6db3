import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import drivers, { type OpenStackProviderConfig } from '@nodepool/driver-openstack';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: trusty
  - name: precise
  - name: devstack-trusty
  - name: windows
diskimages:
  - name: trusty
  - name: precise
  - name: devstack-trusty
  - name: windows
    username: Administrator
`;

// The example at the top of the OpenStack Driver docs page.
const docsExample = `${header}
providers:
  - name: provider1
    driver: openstack
    cloud: example
    region-name: 'region1'
    rate: 1.0
    boot-timeout: 120
    launch-timeout: 900
    launch-retries: 3
    image-name-format: '{image_name}-{timestamp}'
    post-upload-hook: /usr/bin/custom-hook
    diskimages:
      - name: trusty
        meta:
            key: value
            key2: value
      - name: precise
      - name: devstack-trusty
    pools:
      - name: main
        max-servers: 96
        availability-zones:
          - az1
        networks:
          - some-network-name
        security-groups:
          - zuul-security-group
        labels:
          - name: trusty
            min-ram: 8192
            diskimage: trusty
            console-log: True
          - name: precise
            min-ram: 8192
            diskimage: precise
          - name: devstack-trusty
            min-ram: 8192
            diskimage: devstack-trusty
  - name: provider2
    driver: openstack
    cloud: example2
    region-name: 'region1'
    rate: 1.0
    image-name-format: '{image_name}-{timestamp}'
    diskimages:
      - name: precise
        meta:
            key: value
            key2: value
    pools:
      - name: main
        max-servers: 96
        labels:
          - name: trusty
            min-ram: 8192
            diskimage: trusty
          - name: precise
            min-ram: 8192
            diskimage: precise
          - name: devstack-trusty
            min-ram: 8192
            diskimage: devstack-trusty
`;

function provider(result: Awaited<ReturnType<typeof validateConfigText>>, name: string): OpenStackProviderConfig {
  return result.config!.providers.get(name) as OpenStackProviderConfig;
}

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, drivers);
  t.deepEqual(result.messages, []);
  const one = provider(result, 'provider1');
  t.is(one.driver, 'openstack');
  t.is(one.cloud, 'example');
  t.is(one.regionName, 'region1');
  t.is(one.rateSeconds, 1);
  t.is(one.rate, 1, 'one call a second');
  t.is(one.bootTimeout, 120);
  t.is(one.launchTimeout, 900);
  t.is(one.launchRetries, 3);
  t.is(one.portCleanupInterval, 600);
  t.is(one.cleanFloatingIps, null);
  t.is(one.imageNameFormat, '{image_name}-{timestamp}');
  t.is(one.postUploadHook, '/usr/bin/custom-hook');
  t.is(one.maxConcurrency, -1);
  t.deepEqual(one.diskimages, ['trusty', 'precise', 'devstack-trusty']);
  t.true(one.manageImages);
  t.deepEqual(one.diskimageSettings.get('trusty'), {
    name: 'trusty',
    pause: false,
    configDrive: null,
    meta: { key: 'value', key2: 'value' },
    connectionType: 'ssh',
    connectionPort: 22,
    username: 'zuul',
    pythonPath: 'auto',
    shellType: null,
  });
  t.is(one.cloudImages.size, 0);

  const pool = one.pools.get('main')!;
  t.is(pool.maxServers, 96);
  t.is(pool.maxCores, Infinity);
  t.is(pool.maxRam, Infinity);
  t.is(pool.maxVolumes, Infinity);
  t.is(pool.maxVolumeGb, Infinity);
  t.deepEqual(pool.availabilityZones, ['az1']);
  t.deepEqual(pool.networks, ['some-network-name']);
  t.deepEqual(pool.securityGroups, ['zuul-security-group']);
  t.true(pool.autoFloatingIp);
  t.true(pool.hostKeyChecking);
  t.false(pool.ignoreProviderQuota);
  t.is(pool.priority, undefined);
  t.is(pool.nodeAttributes, null);
  t.deepEqual([...pool.labels.keys()], ['trusty', 'precise', 'devstack-trusty']);
  t.deepEqual(pool.labels.get('trusty'), {
    name: 'trusty',
    diskimage: 'trusty',
    cloudImage: undefined,
    minRam: 8192,
    flavorName: null,
    keyName: null,
    consoleLog: true,
    bootFromVolume: false,
    volumeSize: 50,
    instanceProperties: {},
    dynamicInstanceProperties: {},
    userdata: null,
    networks: ['some-network-name'],
    hostKeyChecking: true,
    poolName: 'main',
    username: 'zuul',
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
  t.false(pool.labels.get('precise')!.consoleLog);
  t.deepEqual(pool.maxResources, {}, 'no volume limits');

  const two = provider(result, 'provider2');
  t.deepEqual(two.diskimages, ['precise']);
  t.is(two.bootTimeout, 60);
  t.is(two.launchTimeout, 3600);
  const twoPool = two.pools.get('main')!;
  t.is(twoPool.availabilityZones, null);
  t.deepEqual(twoPool.labels.get('trusty')!.networks, []);
});

// The smaller examples in the page's sections, put together (the labels example gets the
// diskimage every label needs).
const sectionExamples = `${header}
providers:
  - name: provider1
    cloud: example
    diskimages:
      - name: precise
        pause: False
        meta:
            key: value
            key2: value
      - name: windows
        connection-type: winrm
        connection-port: 5986
    cloud-images:
      - name: trusty-external
        config-drive: False
      - name: windows-external
        connection-type: winrm
        connection-port: 5986
    pools:
      - name: main
        max-servers: 96
        availability-zones:
          - az1
        networks:
          - some-network-name
        security-groups:
          - zuul-security-group
        auto-floating-ip: False
        host-key-checking: True
        node-attributes:
          key1: value1
          key2: value2
        labels:
          - name: trusty
            min-ram: 8192
            cloud-image: trusty-external
            console-log: True
          - name: precise
            min-ram: 8192
            flavor-name: 'something to match'
            diskimage: precise
            console-log: True
            dynamic-instance-properties:
              request_info: "Created for request {request.id}"
          - name: windows
            flavor-name: large
            cloud-image: windows-external
            networks:
              - public
              - private
`;

test('accepts the section examples of the docs page', async (t) => {
  const result = await validateConfigText(sectionExamples, drivers);
  t.deepEqual(result.messages, []);
  const one = provider(result, 'provider1');
  t.is(one.driver, 'openstack');
  const windows = one.diskimageSettings.get('windows')!;
  t.is(windows.connectionType, 'winrm');
  t.is(windows.connectionPort, 5986);
  t.is(windows.username, 'Administrator', 'taken from the top-level diskimage');
  t.is(windows.shellType, null, "9.0.0's validator refuses a diskimage's shell-type, so the example leaves it out");
  t.deepEqual(one.cloudImages.get('trusty-external'), {
    name: 'trusty-external',
    configDrive: false,
    imageId: null,
    imageName: null,
    externalName: 'trusty-external',
    username: null,
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
  t.is(one.cloudImages.get('windows-external')!.connectionPort, 5986);
  const pool = one.pools.get('main')!;
  t.false(pool.autoFloatingIp);
  t.deepEqual(pool.nodeAttributes, { key1: 'value1', key2: 'value2' });
  const trusty = pool.labels.get('trusty')!;
  t.is(trusty.cloudImage, 'trusty-external');
  t.is(trusty.diskimage, undefined);
  const precise = pool.labels.get('precise')!;
  t.is(precise.flavorName, 'something to match');
  t.deepEqual(precise.dynamicInstanceProperties, { request_info: 'Created for request {request.id}' });
  t.deepEqual(pool.labels.get('windows')!.networks, ['public', 'private']);
  t.is(pool.labels.get('windows')!.minRam, 0);
});

test('a provider without driver validates as openstack', async (t) => {
  const result = await validateConfigText(`${header}\nproviders:\n  - name: p\n    cloud: c\n    pools: []\n`, drivers);
  t.deepEqual(result.messages, []);
  t.is(provider(result, 'p').driver, 'openstack');

  const withoutCloud = await validateConfigText(`${header}\nproviders:\n  - name: p\n    pools: []\n`, drivers);
  t.false(withoutCloud.valid);
  t.deepEqual(withoutCloud.messages, ['nodepool.yaml:17 providers[0].cloud: required key not provided']);
});

test('a provider whose name starts with fake validates with the openstack rules', async (t) => {
  const fake = `${header}
providers:
  - name: fake-provider
    cloud: fake
    rate: 0.0001
    cloud-images:
      - name: fake-image
        image-id: fake-image-id
    pools:
      - name: main
        max-servers: 96
        labels:
          - name: trusty
            cloud-image: fake-image
            min-ram: 8192
`;
  const result = await validateConfigText(fake, drivers);
  t.deepEqual(result.messages, []);
  const parsed = provider(result, 'fake-provider');
  t.is(parsed.driver, 'fake');
  t.is(parsed.rateSeconds, 0.0001);
  t.is(parsed.rate, 10_000, 'calls a second: the inverse of the seconds between them');
  t.is(parsed.pools.get('main')!.labels.get('trusty')!.cloudImage, 'fake-image');

  // The name wins over `driver:`, as in the original.
  const asStatic = await validateConfigText(`${header}\nproviders:\n  - name: fake-static\n    driver: static\n    pools: []\n`, drivers);
  t.false(asStatic.valid);
  t.regex(asStatic.messages.join('\n'), /providers\[0\]\.cloud: required key not provided/);
});

test('a fake provider skips the validator\'s label check but still fails to load', async (t) => {
  const yaml = `${header}\nproviders:\n  - name: fake-provider\n    cloud: fake\n    pools:\n      - name: main\n        labels:\n          - {name: unknown, min-ram: 1, diskimage: trusty}\n`;
  const result = await validateConfigText(yaml, drivers);
  t.true(result.valid, 'the original validator checks pool labels of openstack providers only');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /label "unknown" is not defined in the top-level labels/);

  const asOpenStack = await validateConfigText(yaml.replace('fake-provider', 'real-provider'), drivers);
  t.false(asOpenStack.valid);
  t.regex(asOpenStack.messages.join('\n'), /providers\[0\]\.pools\[0\]\.labels\[0\]\.name: label "unknown" is not defined in the top-level labels/);
});

// ---- what the original's validator rejects -------------------------------------------------

function withLabel(labelYaml: string): string {
  return `${header}
providers:
  - name: p
    cloud: c
    cloud-images:
      - name: external
    pools:
      - name: main
        labels:
          - name: trusty
${labelYaml}`;
}

const invalidLabels: [string, string, RegExp][] = [
  ['a label with neither min-ram nor flavor-name', '            diskimage: trusty\n', /labels\[0\]: a label needs min-ram or flavor-name/],
  ['a label with neither diskimage nor cloud-image', '            min-ram: 8192\n', /labels\[0\]: a label needs diskimage or cloud-image/],
  [
    'a label with both diskimage and cloud-image',
    '            min-ram: 8192\n            diskimage: trusty\n            cloud-image: external\n',
    /labels\[0\]\.cloud-image: cannot be combined with diskimage/,
  ],
  ['a min-ram given as a string', '            min-ram: "8192"\n            diskimage: trusty\n', /labels\[0\]\.min-ram: expected an integer, got the string "8192"/],
  ['a volume-size given as a decimal', '            min-ram: 1\n            diskimage: trusty\n            volume-size: 50.0\n', /labels\[0\]\.volume-size: expected an integer/],
  ['a console-log given as 1', '            min-ram: 1\n            diskimage: trusty\n            console-log: 1\n', /labels\[0\]\.console-log: expected a boolean/],
  ['instance-properties given as a list', '            min-ram: 1\n            diskimage: trusty\n            instance-properties: [a]\n', /labels\[0\]\.instance-properties: expected a mapping/],
  ['networks left empty (null)', '            min-ram: 1\n            diskimage: trusty\n            networks:\n', /labels\[0\]\.networks: expected a list, got nothing/],
  ['an unknown label key', '            min-ram: 1\n            diskimage: trusty\n            volume-type: ssd\n', /labels\[0\]\.volume-type: unknown key/],
];

for (const [title, labelYaml, message] of invalidLabels) {
  test(`rejects ${title}`, (t) => expectRejected(t, withLabel(labelYaml), drivers, message));
}

test('rejects a label without a name', async (t) => {
  const result = await validateConfigText(`${header}\nproviders:\n  - name: p\n    cloud: c\n    pools:\n      - labels:\n          - {min-ram: 1, diskimage: trusty}\n`, drivers);
  t.false(result.valid);
  t.regex(result.messages.join('\n'), /providers\[0\]\.pools\[0\]\.labels\[0\]\.name: required key not provided/);
});

function withProvider(providerYaml: string): string {
  return `${header}\nproviders:\n  - name: p\n    cloud: c\n${providerYaml}`;
}

const invalidProviders: [string, string, RegExp][] = [
  [
    'a cloud image with both image-id and image-name',
    '    cloud-images:\n      - name: x\n        image-id: abc\n        image-name: def\n',
    /cloud-images\[0\]\.image-name: cannot be combined with image-id/,
  ],
  ['an unknown provider key', '    flavor: large\n', /providers\[0\]\.flavor: unknown key/],
  ['an unknown pool key', '    pools:\n      - name: main\n        server-group: g\n', /providers\[0\]\.pools\[0\]\.server-group: unknown key/],
  ['an unknown provider diskimage key', '    diskimages:\n      - name: trusty\n        username: ubuntu\n', /providers\[0\]\.diskimages\[0\]\.username: unknown key/],
  ['an unknown cloud image key', '    cloud-images:\n      - name: x\n        ssh-private-key: /k\n', /providers\[0\]\.cloud-images\[0\]\.ssh-private-key: unknown key/],
  ['a boot-timeout given as a decimal', '    boot-timeout: 60.0\n', /providers\[0\]\.boot-timeout: expected an integer/],
  ['a rate that is not a number', '    rate: fast\n', /providers\[0\]\.rate: expected a number/],
  ['a region-name given as a number', '    region-name: 1\n', /providers\[0\]\.region-name: expected a string/],
  ['max-servers given as a decimal', '    pools:\n      - name: main\n        max-servers: 1.5\n', /pools\[0\]\.max-servers: expected an integer/],
  ['networks given as a string', '    pools:\n      - name: main\n        networks: private\n', /pools\[0\]\.networks: expected a list/],
  ['a diskimage meta given as a string', '    diskimages:\n      - name: trusty\n        meta: x\n', /diskimages\[0\]\.meta: expected a mapping/],
  ['an image-id given as a number', '    cloud-images:\n      - name: x\n        image-id: 1234\n', /cloud-images\[0\]\.image-id: expected a string, got the integer 1234/],
  ['hostname-format given as a number', '    hostname-format: 12\n', /providers\[0\]\.hostname-format: expected a string/],
];

for (const [title, providerYaml, message] of invalidProviders) {
  test(`rejects ${title}`, (t) => expectRejected(t, withProvider(providerYaml), drivers, message));
}

// ---- what the original's validator accepts, perhaps surprisingly -----------------------------

test('rate takes anything Python float() takes', async (t) => {
  for (const [yaml, expected] of [
    ['"0.5"', 0.5],
    ['2', 2],
    ['yes', 1],
    ['"1e3"', 1000],
  ] as const) {
    const result = await validateConfigText(withProvider(`    rate: ${yaml}\n`), drivers);
    t.deepEqual(result.messages, [], yaml);
    t.is(provider(result, 'p').rateSeconds, expected, yaml);
  }
});

test('accepts hostname-format, which Nodepool kept until 10.0.0', async (t) => {
  // The example of the 4.x docs page still carries it.
  const result = await validateConfigText(withProvider(`    hostname-format: '{label.name}-{provider.name}-{node.id}'\n    nodepool-id: dev\n`), drivers);
  t.deepEqual(result.messages, []);
});

test('names of pools and cloud images are optional to the validator, but not to the loader', async (t) => {
  const result = await validateConfigText(withProvider('    cloud-images:\n      - image-id: abc\n    pools:\n      - max-servers: 1\n'), drivers);
  t.true(result.valid);
  t.is(result.config, undefined, 'but the original cannot load such a file');
  t.deepEqual(result.messages, [
    'nodepool.yaml:20 providers[0].cloud-images[0].name: required key not provided',
    'nodepool.yaml:22 providers[0].pools[0].name: required key not provided',
  ]);
});

test('a provider diskimage without a name makes the file invalid (the original validator dies on it)', async (t) => {
  const result = await validateConfigText(withProvider('    diskimages:\n      - pause: true\n'), drivers);
  t.false(result.valid);
  t.deepEqual(result.messages, ['nodepool.yaml:20 providers[0].diskimages[0].name: required key not provided']);
});

test('booleans count as integers and min-ram with flavor-name is fine', async (t) => {
  const result = await validateConfigText(withLabel('            min-ram: yes\n            flavor-name: small\n            cloud-image: external\n'), drivers);
  t.deepEqual(result.messages, []);
  t.is(provider(result, 'p').pools.get('main')!.labels.get('trusty')!.minRam, 1);
});

// ---- what stops loading ------------------------------------------------------------------

test('a label cloud-image missing from the provider passes validation but stops loading', async (t) => {
  const result = await validateConfigText(withLabel('            min-ram: 1\n            cloud-image: nowhere\n'), drivers);
  t.true(result.valid);
  t.is(result.config, undefined);
  t.deepEqual(result.messages, [
    `nodepool.yaml:26 providers[0].pools[0].labels[0].cloud-image: cloud-image "nowhere" is not defined in this provider's cloud-images`,
  ]);
});

test('a label diskimage missing from the top-level diskimages makes the file invalid', async (t) => {
  const result = await validateConfigText(withLabel('            min-ram: 1\n            diskimage: centos\n'), drivers);
  t.false(result.valid);
  t.regex(result.messages.join('\n'), /labels\[0\]\.diskimage: diskimage "centos" is not defined in the top-level diskimages/);
});

test('a provider diskimage missing from the top-level diskimages makes the file invalid', async (t) => {
  const result = await validateConfigText(withProvider('    diskimages:\n      - name: centos\n'), drivers);
  t.false(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /diskimage "centos" is not defined in the top-level diskimages/);
});
