import test from 'ava';
import { readFile } from 'node:fs/promises';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import azureDriver, { type AzureProviderConfig } from '@nodepool/driver-azure';

const fixture = (name: string) => readFile(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

async function validate(text: string) {
  return validateConfigText(text, [azureDriver]);
}

function providerOf(config: Awaited<ReturnType<typeof validate>>['config'], name: string): AzureProviderConfig {
  return config!.providers.get(name) as AzureProviderConfig;
}

// ---- a small valid configuration, with each level replaceable -------------------------------

const PROVIDER = 'location: centralus\nresource-group: nodepool\nresource-group-location: centralus\nauth-path: /path/to/creds.json';
const CLOUD_IMAGE = 'name: bionic\nusername: zuul\nimage-id: /subscriptions/x/images/bionic';
const POOL = 'name: main\nmax-servers: 10';
const LABEL = 'name: bionic\ncloud-image: bionic\nhardware-profile:\n  vm-size: Standard_D1_v2';

/** `body` at `indent` spaces; with `item`, as one entry of a YAML list. */
function block(body: string, indent: number, item = false): string {
  return body
    .split('\n')
    .map((line, index) => `${' '.repeat(indent)}${item ? (index === 0 ? '- ' : '  ') : ''}${line}`)
    .join('\n');
}

function config(parts: { provider?: string; cloudImage?: string; pool?: string; label?: string } = {}): string {
  return `zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: bionic
providers:
  - name: azure
    driver: azure
${block(parts.provider ?? PROVIDER, 4)}
    cloud-images:
${block(parts.cloudImage ?? CLOUD_IMAGE, 6, true)}
    pools:
${block(parts.pool ?? POOL, 6, true)}
        labels:
${block(parts.label ?? LABEL, 10, true)}
`;
}

// ---- accepted configurations ----------------------------------------------------------------

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validate(await fixture('docs-example.yaml'));
  t.deepEqual(result.messages, []);
  const provider = providerOf(result.config, 'azure-central-us');
  t.is(provider.driver, 'azure');
  t.is(provider.location, 'centralus');
  t.is(provider.resourceGroup, 'nodepool');
  t.is(provider.resourceGroupLocation, 'centralus');
  t.is(provider.authPath, '/path/to/nodepoolCreds.json');
  t.deepEqual(provider.network, { resourceGroup: 'nodepool', network: 'nodepool', subnet: 'default' });
  t.is(provider.subnetId, null);
  t.is(provider.rate, 1);
  t.is(provider.bootTimeout, 120);
  t.is(provider.launchTimeout, 3600);
  t.is(provider.launchRetries, 3);
  t.is(provider.maxConcurrency, -1);
  t.is(provider.ipv4, null);
  t.is(provider.ipv6, null);
  t.true(provider.publicIpv4);
  t.false(provider.publicIpv6);
  t.false(provider.useInternalIp);
  t.true(provider.hostKeyChecking);
  t.is(provider.postUploadHook, null);
  t.is(provider.zuulPublicKey, null);
  t.is(provider.imageFormat, 'vhd');
  t.false(provider.manageImages);
  t.deepEqual(provider.diskimages, []);

  t.deepEqual(provider.cloudImages.get('bionic'), {
    name: 'bionic',
    username: 'zuul',
    password: null,
    generatePassword: false,
    key: 'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAA...',
    imageReference: { sku: '18.04-LTS', publisher: 'Canonical', version: 'latest', offer: 'UbuntuServer' },
    imageFilter: null,
    imageId: null,
    sharedGalleryImage: null,
    communityGalleryImage: null,
    connectionType: 'ssh',
    connectionPort: 22,
    pythonPath: 'auto',
    shellType: null,
  });

  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 10);
  t.is(pool.maxCores, undefined, 'azure pools have no core limit');
  t.true(pool.ipv4, 'implied by public-ipv4');
  t.false(pool.ipv6);
  t.true(pool.publicIpv4);
  t.false(pool.publicIpv6);
  t.false(pool.useInternalIp);
  t.true(pool.hostKeyChecking);
  t.is(pool.nodeAttributes, null);
  t.deepEqual(pool.labels.get('bionic'), {
    name: 'bionic',
    cloudImage: 'bionic',
    diskimage: undefined,
    hardwareProfile: { vmSize: 'Standard_D1_v2' },
    tags: {},
    dynamicTags: {},
    userData: null,
    customData: null,
    hostKeyChecking: true,
    poolName: 'main',
    username: 'zuul',
    pythonPath: 'auto',
    shellType: null,
    connectionType: 'ssh',
    connectionPort: 22,
  });
});

test('accepts the docs examples of cloud images, image filters and diskimages', async (t) => {
  const result = await validate(await fixture('images.yaml'));
  t.deepEqual(result.messages, []);
  const provider = providerOf(result.config, 'azure-images');
  t.is(provider.rate, 2.5, 'rate is coerced to a float, strings included');
  t.deepEqual(provider.network, { resourceGroup: 'nodepool', network: 'ci-net', subnet: 'nodes' });
  t.true(provider.manageImages);
  t.deepEqual(provider.diskimages, ['bionic', 'windows']);

  const windows = provider.cloudImages.get('windows-server-2016')!;
  t.true(windows.generatePassword);
  t.is(windows.connectionPort, 5986);
  t.is(windows.key, 'ssh-rsa AAAAzuul', 'the deprecated zuul-public-key is the default key');
  t.deepEqual(provider.cloudImages.get('image-by-name')!.imageFilter, { name: 'test-image' });
  t.deepEqual(provider.cloudImages.get('image-by-tag')!.imageFilter, { tags: { foo: 'bar' } });
  t.deepEqual(provider.cloudImages.get('gallery-image')!.sharedGalleryImage, { galleryName: 'ci-gallery', name: 'ubuntu-ci', version: null });

  t.is(provider.providerDiskimages.get('bionic')!.username, 'zuul');
  t.is(provider.providerDiskimages.get('windows')!.username, 'Administrator', 'taken from the top-level diskimage');
  t.is(provider.providerDiskimages.get('windows')!.connectionPort, 5986);

  const pool = provider.pools.get('main')!;
  t.false(pool.ipv4, 'public-ipv4 is off and ipv6 is on');
  t.true(pool.ipv6);
  t.true(pool.useInternalIp);
  const bionic = pool.labels.get('bionic')!;
  t.is(bionic.diskimage, 'bionic');
  t.is(bionic.userData, Buffer.from('#cloud-config').toString('base64'));
  t.deepEqual(bionic.tags, { department: 'R&D' });
  t.deepEqual(bionic.dynamicTags, { request_info: 'Created for request {request.id}' });
});

test('a label may name both a cloud image and a diskimage', async (t) => {
  const result = await validate(
    config({
      provider: `${PROVIDER}\ndiskimages:\n  - name: bionic`,
      label: `${LABEL}\ndiskimage: bionic`,
    }).replace('labels:\n  - name: bionic\n', 'labels:\n  - name: bionic\ndiskimages:\n  - name: bionic\n'),
  );
  t.deepEqual(result.messages, []);
  const label = providerOf(result.config, 'azure').pools.get('main')!.labels.get('bionic')!;
  t.is(label.cloudImage, 'bionic');
  t.is(label.diskimage, 'bionic');
});

test('with neither IPv4 nor IPv6 asked for, a pool still gets IPv4', async (t) => {
  const result = await validate(config({ pool: `${POOL}\npublic-ipv4: false\nipv4: false` }));
  t.deepEqual(result.messages, []);
  const pool = providerOf(result.config, 'azure').pools.get('main')!;
  t.true(pool.ipv4);
  t.false(pool.ipv6);
  t.false(pool.publicIpv4);
});

// ---- rejected configurations (the original validator's verdict) -----------------------------

const withoutLine = (body: string, key: string) => body.split('\n').filter((line) => !line.startsWith(`${key}:`)).join('\n');

const invalid: [string, Parameters<typeof config>[0], RegExp][] = [
  // missing required keys
  ['a provider without auth-path (although load would read $AZURE_AUTH_LOCATION)', { provider: withoutLine(PROVIDER, 'auth-path') }, /providers\[0\]\.auth-path: required key not provided/],
  ['a provider without location', { provider: withoutLine(PROVIDER, 'location') }, /providers\[0\]\.location: required key not provided/],
  ['a provider without resource-group', { provider: withoutLine(PROVIDER, 'resource-group') }, /providers\[0\]\.resource-group: required key not provided/],
  ['a provider without resource-group-location', { provider: withoutLine(PROVIDER, 'resource-group-location') }, /providers\[0\]\.resource-group-location: required key not provided/],
  ['a pool without a name', { pool: 'max-servers: 10' }, /providers\[0\]\.pools\[0\]\.name: required key not provided/],
  ['a label without hardware-profile', { label: 'name: bionic\ncloud-image: bionic' }, /labels\[0\]\.hardware-profile: required key not provided/],
  ['a hardware-profile without vm-size', { label: 'name: bionic\ncloud-image: bionic\nhardware-profile: {}' }, /labels\[0\]\.hardware-profile\.vm-size: required key not provided/],
  ['a cloud image without username', { cloudImage: 'name: bionic\nimage-id: x' }, /cloud-images\[0\]\.username: required key not provided/],
  [
    'an image-reference without sku',
    { cloudImage: 'name: bionic\nusername: zuul\nimage-reference:\n  publisher: Canonical\n  version: latest\n  offer: UbuntuServer' },
    /cloud-images\[0\]\.image-reference\.sku: required key not provided/,
  ],
  ['a gallery image without gallery-name', { cloudImage: 'name: bionic\nusername: zuul\ncommunity-gallery-image:\n  name: ubuntu' }, /community-gallery-image\.gallery-name: required key not provided/],
  [
    'a cloud image that names no image',
    { cloudImage: 'name: bionic\nusername: zuul' },
    /providers\[0\]\.cloud-images\[0\]: Provide one of "image-reference", "image-filter", "image-id", "community-gallery-image", or "shared-gallery-image" keys/,
  ],
  // wrong types
  ['a rate that is not a number', { provider: `${PROVIDER}\nrate: fast` }, /providers\[0\]\.rate: expected a number/],
  ['a boot-timeout given as a string', { provider: `${PROVIDER}\nboot-timeout: '120'` }, /providers\[0\]\.boot-timeout: expected an integer/],
  ['a network given as a number', { provider: `${PROVIDER}\nnetwork: 5` }, /providers\[0\]\.network: expected a string or a mapping/],
  ['a volume-size, which 9.0.0 does not know', { label: `${LABEL}\nvolume-size: 30` }, /labels\[0\]\.volume-size: unknown key/],
  ['generate-password given as a string', { cloudImage: `${CLOUD_IMAGE}\ngenerate-password: sure` }, /cloud-images\[0\]\.generate-password: expected a boolean/],
  ['an empty cloud-images entry key (null)', { cloudImage: 'name: bionic\nusername: zuul\nimage-id:' }, /cloud-images\[0\]\.image-id: expected a string, got nothing/],
  // unknown keys at each level
  ['subscription-id at provider level (later releases)', { provider: `${PROVIDER}\nsubscription-id: abc` }, /providers\[0\]\.subscription-id: unknown key/],
  ['an unknown key in a network mapping', { provider: `${PROVIDER}\nnetwork:\n  vnet: ci` }, /providers\[0\]\.network\.vnet: unknown key/],
  ['max-cores in a pool', { pool: `${POOL}\nmax-cores: 64` }, /pools\[0\]\.max-cores: unknown key/],
  ['instance-type on a label', { label: `${LABEL}\ninstance-type: Standard_D1_v2` }, /labels\[0\]\.instance-type: unknown key/],
  ['an unknown key in hardware-profile', { label: `${LABEL}\n  vm-cores: 2` }, /hardware-profile\.vm-cores: unknown key/],
  ['image-name on a cloud image', { cloudImage: `${CLOUD_IMAGE}\nimage-name: bionic` }, /cloud-images\[0\]\.image-name: unknown key/],
  ['an unknown key in an image filter', { cloudImage: 'name: bionic\nusername: zuul\nimage-filter:\n  sku: x' }, /image-filter\.sku: unknown key/],
  ['password on a provider diskimage (read by load, not in the schema)', { provider: `${PROVIDER}\ndiskimages:\n  - name: bionic\n    password: secret` }, /diskimages\[0\]\.password: unknown key/],
  // exclusive groups
  [
    'a cloud image with both image-id and image-reference',
    { cloudImage: `${CLOUD_IMAGE}\nimage-reference:\n  sku: a\n  publisher: b\n  version: c\n  offer: d` },
    /cloud-images\[0\]\.image-reference: cannot be combined with image-id/,
  ],
];

for (const [title, parts, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, config(parts), [azureDriver], message, { onlyError: true }));
}

test('rejects a provider without pools', async (t) => {
  const result = await validate(`providers:\n  - name: azure\n    driver: azure\n${block(PROVIDER, 4)}\n`);
  t.false(result.valid);
  t.regex(result.messages.join('\n'), /^nodepool\.yaml:\d+ providers\[0\]\.pools: required key not provided/m);
});

// ---- load-time problems (they stop daemons, not the validator's verdict) ----------------------

test('a label naming a cloud image the provider lacks passes validation but stops loading', async (t) => {
  const result = await validate(config({ label: 'name: bionic\ncloud-image: focal\nhardware-profile:\n  vm-size: Standard_D1_v2' }));
  t.true(result.valid, 'the original validator does not look at references');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /labels\[0\]\.cloud-image: cloud-image focal does not exist in provider azure but is referenced in label bionic/);
});

test('a pool without max-servers passes validation but stops loading', async (t) => {
  const result = await validate(config({ pool: 'name: main' }));
  t.true(result.valid, 'max-servers is optional in the schema');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /providers\[0\]\.pools\[0\]: max-servers is required in an azure pool/);
});
