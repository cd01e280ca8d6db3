import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import ibmVpcDriver, { type IbmVpcProviderConfig } from '@nodepool/driver-ibmvpc';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: bionic
  - name: stretch
  - name: custom
diskimages:
  - name: debian-custom
    username: debian
`;

// The example of the IBM VPC Driver docs page.
const docsExample = `${header}
providers:
  - name: ibmvpc-us-south
    driver: ibmvpc
    credentials-file: /path/to/creds.env
    vpc: nodepool
    region: us-south
    subnet: sn-nodepool
    cloud-images:
      - name: bionic
        username: zuul
        keys:
          - zuul-ssh-key
        image-name: ibm-ubuntu-20-04-3-minimal-amd64-1
    pools:
      - name: main
        zone: us-south-1
        max-servers: 10
        host-key-checking: false
        labels:
          - name: bionic
            cloud-image: bionic
            profile: cx2-2x4
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [ibmVpcDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('ibmvpc-us-south') as IbmVpcProviderConfig;
  t.is(provider.driver, 'ibmvpc');
  t.is(provider.vpc, 'nodepool');
  t.is(provider.region, 'us-south');
  t.is(provider.zone, null);
  t.is(provider.subnet, 'sn-nodepool');
  t.is(provider.credentialsFile, '/path/to/creds.env');
  t.is(provider.rate, 1);
  t.is(provider.bootTimeout, 120);
  t.is(provider.launchTimeout, 3600);
  t.is(provider.launchRetries, 3);
  t.false(provider.publicIpv4);
  t.false(provider.useInternalIp);
  t.true(provider.hostKeyChecking);
  t.deepEqual(provider.quota, { instances: Infinity, cores: Infinity, ram: Infinity });
  t.is(provider.objectStorage, null);
  t.is(provider.postUploadHook, null);
  t.is(provider.imageFormat, 'qcow2');
  t.true(provider.manageImages, 'uploads are managed even when none are listed');
  t.deepEqual(provider.diskimages, []);
  t.deepEqual(provider.cloudImages.get('bionic'), {
    name: 'bionic',
    username: 'zuul',
    keys: ['zuul-ssh-key'],
    imageHref: null,
    imageId: null,
    imageName: 'ibm-ubuntu-20-04-3-minimal-amd64-1',
    imageFilter: null,
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 10);
  t.is(pool.zone, 'us-south-1');
  t.is(pool.subnet, 'sn-nodepool', 'inherited from the provider');
  t.false(pool.hostKeyChecking);
  t.false(pool.publicIpv4);
  t.deepEqual(pool.labels.get('bionic'), {
    name: 'bionic',
    cloudImage: 'bionic',
    diskimage: undefined,
    poolName: 'main',
    profile: 'cx2-2x4',
    userData: null,
    hostKeyChecking: false,
    username: 'zuul',
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
  t.true(provider.bootTimeoutAfterReady);
});

// Every key the schema has, with the image filter example of the docs.
const everything = `${header}
providers:
  - name: ibm-full
    driver: ibmvpc
    max-concurrency: 4
    priority: 2
    vpc: nodepool
    region: us-south
    zone: us-south-1
    subnet: sn-nodepool
    public-ipv4: true
    use-internal-ip: true
    host-key-checking: false
    post-upload-hook: /usr/local/bin/check-image
    rate: "0.5"
    boot-timeout: 300
    launch-timeout: 900
    launch-retries: 5
    credentials-file: /etc/nodepool/ibm.env
    quota:
      instances: 20
      cores: 80
      ram: 327680
    object-storage:
      instance-name: cos-nodepool
      endpoint: https://s3.us-south.cloud-object-storage.appdomain.cloud
      bucket-name: nodepool-images
    cloud-images:
      - name: stretch
        username: zuul
        keys:
          - zuul-ssh-key
        image-filter:
          operating-system:
            family: "Debian GNU/Linux"
            version: "9.x Stretch/Stable - Minimal Install"
            dedicated-host-only: false
          owner-type: provider
          status: available
        connection-type: winrm
        shell-type: cmd
        python-path: /usr/bin/python3
    diskimages:
      - name: debian-custom
        operating-system: debian-9-amd64
        pause: true
        connection-port: 2222
    pools:
      - name: second
        zone: us-south-2
        subnet: sn-second
        max-servers: 5
        priority: 1
        node-attributes:
          rack: a
        public-ipv4: false
        use-internal-ip: false
        labels:
          - name: stretch
            cloud-image: stretch
            profile: bx2-4x16
            user-data: "#cloud-config"
          - name: custom
            diskimage: debian-custom
            profile: cx2-2x4
`;

test('accepts every documented key and reads each one', async (t) => {
  const result = await validateConfigText(everything, [ibmVpcDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('ibm-full') as IbmVpcProviderConfig;
  t.is(provider.maxConcurrency, 4);
  t.is(provider.rate, 0.5, 'a numeric string, as Coerce(float) takes it');
  t.deepEqual(provider.quota, { instances: 20, cores: 80, ram: 327680 });
  t.deepEqual(provider.objectStorage, {
    instanceName: 'cos-nodepool',
    endpoint: 'https://s3.us-south.cloud-object-storage.appdomain.cloud',
    bucketName: 'nodepool-images',
  });
  t.true(provider.manageImages);
  t.deepEqual(provider.diskimages, ['debian-custom']);
  t.deepEqual(provider.diskimageSettings.get('debian-custom'), {
    name: 'debian-custom',
    operatingSystem: 'debian-9-amd64',
    pause: true,
    username: 'debian',
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 2222,
  });
  const stretch = provider.cloudImages.get('stretch')!;
  t.deepEqual(stretch.imageFilter, {
    operatingSystem: { family: 'Debian GNU/Linux', version: '9.x Stretch/Stable - Minimal Install', dedicatedHostOnly: false },
    ownerType: 'provider',
    status: 'available',
  });
  t.is(stretch.connectionPort, 5986);
  const pool = provider.pools.get('second')!;
  t.is(pool.priority, 1);
  t.is(pool.zone, 'us-south-2');
  t.is(pool.subnet, 'sn-second');
  t.false(pool.publicIpv4);
  t.false(pool.useInternalIp);
  t.false(pool.hostKeyChecking, 'inherited from the provider');
  t.deepEqual(pool.nodeAttributes, { rack: 'a' });
  t.is(pool.labels.get('stretch')!.userData, '#cloud-config');
  t.is(pool.labels.get('custom')!.diskimage, 'debian-custom');
  t.is(pool.labels.get('custom')!.cloudImage, undefined);
});

const provider = (body: string): string => `${header}\nproviders:\n  - name: ibm\n    driver: ibmvpc\n${body}`;
const required = '    vpc: v\n    region: r\n    zone: z\n    subnet: s\n';
const image = (body: string): string => `${required}    cloud-images:\n      - name: bionic\n        username: zuul\n${body}    pools: []\n`;
const poolWith = (poolYaml: string): string => `${required}    pools:\n      - name: main\n        max-servers: 1\n${poolYaml}`;
const goodLabels = '        labels:\n          - name: bionic\n            profile: cx2-2x4\n';

const invalid: [string, string, RegExp][] = [
  ['a provider without a vpc', '    region: r\n    pools: []\n', /^nodepool\.yaml:\d+ providers\[0\]\.vpc: required key not provided$/m],
  ['a provider without a region', '    vpc: v\n    pools: []\n', /providers\[0\]\.region: required key not provided/],
  ['a provider without pools', required, /providers\[0\]\.pools: required key not provided/],
  ['a pool without labels', poolWith(''), /pools\[0\]\.labels: required key not provided/],
  ['a label without a profile', poolWith('        labels:\n          - name: bionic\n'), /labels\[0\]\.profile: required key not provided/],
  ['a pool name starting with an underscore', `${required}    pools:\n      - name: _main\n        labels: []\n`, /pools\[0\]\.name: expected a name that does not start with an underscore/],
  ['a cloud image without an image selector', image(''), /providers\[0\]\.cloud-images\[0\]: Provide either "image-filter", "image-href", "image-id", or "image-name" keys/],
  ['a cloud image with two image selectors', image('        image-id: r006-1\n        image-name: ubuntu\n'), /cloud-images\[0\]\.image-name: cannot be combined with image-id/],
  ['a cloud image without a username', `${required}    cloud-images:\n      - name: bionic\n        image-id: r006-1\n    pools: []\n`, /cloud-images\[0\]\.username: required key not provided/],
  ['an unknown image-filter key', image('        image-filter:\n          architecture: amd64\n'), /image-filter\.architecture: unknown key/],
  ['an unknown operating-system filter key', image('        image-filter:\n          operating-system:\n            release: "9"\n'), /operating-system\.release: unknown key/],
  ['dedicated-host-only given as a string', image('        image-filter:\n          operating-system:\n            dedicated-host-only: "no"\n'), /dedicated-host-only: expected a boolean/],
  ['keys given as a single string', image('        image-id: r006-1\n        keys: zuul-ssh-key\n'), /cloud-images\[0\]\.keys: expected a list/],
  ['object storage without an endpoint', `${required}    object-storage:\n      instance-name: cos\n      bucket-name: b\n    pools: []\n`, /object-storage\.endpoint: required key not provided/],
  ['an unknown quota key', `${required}    quota:\n      volumes: 4\n    pools: []\n`, /quota\.volumes: unknown key/],
  ['image-format, which load reads but the schema lacks', `${required}    image-format: raw\n    pools: []\n`, /providers\[0\]\.image-format: unknown key/],
  ['a rate that is not a number', `${required}    rate: fast\n    pools: []\n`, /providers\[0\]\.rate: expected a number/],
  ['a diskimage without an operating system', `${required}    diskimages:\n      - name: debian-custom\n    pools: []\n`, /diskimages\[0\]\.operating-system: required key not provided/],
  ['a diskimage key, documented but not in the schema', `${required}    diskimages:\n      - name: debian-custom\n        operating-system: debian-9-amd64\n        key: ssh-rsa AAA\n    pools: []\n`, /diskimages\[0\]\.key: unknown key/],
  ['user-data that is not a string', poolWith(`${goodLabels}            user-data: 5\n`), /labels\[0\]\.user-data: expected a string/],
  ['an unknown pool key', poolWith(`${goodLabels}        availability-zone: z\n`), /pools\[0\]\.availability-zone: unknown key/],
];

for (const [title, body, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, provider(body), [ibmVpcDriver], message));
}

test('a provider name with an underscore passes validation, as in Nodepool, but stops loading', async (t) => {
  const result = await validateConfigText(docsExample.replace('name: ibmvpc-us-south', 'name: ibmvpc_us_south'), [ibmVpcDriver]);
  t.true(result.valid, 'the common name: str replaces the driver pattern in the original validator');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /providers\[0\]\.name: an ibmvpc provider name may not contain underscores/);
});

test('a pool name with an underscore inside passes validation but stops loading', async (t) => {
  const result = await validateConfigText(docsExample.replace('- name: main', '- name: main_pool'), [ibmVpcDriver]);
  t.true(result.valid, 'the pool pattern only looks at the first character');
  t.regex(result.messages.join('\n'), /pools\[0\]\.name: an ibmvpc pool name may not contain underscores/);
});

test('a pool without a zone anywhere passes validation but stops loading', async (t) => {
  const result = await validateConfigText(docsExample.replace('        zone: us-south-1\n', ''), [ibmVpcDriver]);
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /providers\[0\]\.pools\[0\]\.zone: Zone is required in provider or pool config/);
});

test('a pool without max-servers passes validation but stops loading', async (t) => {
  const result = await validateConfigText(docsExample.replace('        max-servers: 10\n', ''), [ibmVpcDriver]);
  t.true(result.valid);
  t.regex(result.messages.join('\n'), /pools\[0\]\.max-servers: required key not provided/);
});

test('labels must name images the provider has, checked at load', async (t) => {
  const result = await validateConfigText(
    provider(poolWith('        labels:\n          - name: bionic\n            profile: cx2-2x4\n            cloud-image: nowhere\n            diskimage: debian-custom\n')),
    [ibmVpcDriver],
  );
  t.true(result.valid);
  const messages = result.messages.join('\n');
  t.regex(messages, /labels\[0\]\.cloud-image: cloud-image nowhere does not exist in provider ibm but is referenced in label bionic/);
  t.regex(messages, /labels\[0\]\.diskimage: diskimage debian-custom does not exist in provider ibm but is referenced in label bionic/);
});

test('a provider diskimage missing from the top-level diskimages stops loading', async (t) => {
  const result = await validateConfigText(provider(`${required}    diskimages:\n      - name: elsewhere\n        operating-system: debian-9-amd64\n    pools: []\n`), [ibmVpcDriver]);
  t.true(result.valid);
  t.regex(result.messages.join('\n'), /diskimage "elsewhere" is not defined in the top-level diskimages/);
});
