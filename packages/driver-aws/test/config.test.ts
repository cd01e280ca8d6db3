import test from 'ava';
import { readFile } from 'node:fs/promises';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import awsDriver, { type AwsProviderConfig } from '@nodepool/driver-aws';

const fixture = (name: string) => readFile(new URL(`fixtures/${name}`, import.meta.url), 'utf8');

async function validate(text: string) {
  return validateConfigText(text, [awsDriver]);
}

function providerOf(config: Awaited<ReturnType<typeof validate>>['config'], name: string): AwsProviderConfig {
  return config!.providers.get(name) as AwsProviderConfig;
}

// ---- a small valid configuration, with each level replaceable -------------------------------

const PROVIDER = 'region-name: us-west-2';
const CLOUD_IMAGE = 'name: debian9\nusername: admin\nimage-id: ami-0123';
const POOL = 'name: main\nmax-servers: 5';
const LABEL = 'name: debian9\ncloud-image: debian9\ninstance-type: t3.medium\nkey-name: zuul';

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
  - name: debian9
providers:
  - name: ec2
    driver: aws
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
  const provider = providerOf(result.config, 'ec2-us-west-2');
  t.is(provider.driver, 'aws');
  t.is(provider.regionName, 'us-west-2');
  t.is(provider.profileName, null);
  t.is(provider.rate, 2);
  t.is(provider.bootTimeout, 180);
  t.is(provider.launchTimeout, 3600);
  t.is(provider.launchRetries, 3);
  t.is(provider.maxConcurrency, -1);
  t.is(provider.imageFormat, 'raw');
  t.is(provider.objectStorage, null);
  t.is(provider.imageImportTimeout, null);
  t.false(provider.manageImages);
  t.deepEqual(provider.diskimages, []);

  t.deepEqual(provider.cloudImages.get('debian9'), {
    name: 'debian9',
    username: 'admin',
    imageId: 'ami-09c308526d9534717',
    imageFilters: null,
    connectionType: 'ssh',
    connectionPort: 22,
    pythonPath: 'auto',
    shellType: null,
  });

  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 5);
  t.is(pool.maxCores, Infinity);
  t.is(pool.maxRam, Infinity);
  t.deepEqual(pool.maxResources, {});
  t.is(pool.subnetId, 'subnet-0123456789abcdef0');
  t.is(pool.securityGroupId, 'sg-01234567890abcdef');
  t.true(pool.publicIpv4);
  t.false(pool.publicIpv6);
  t.false(pool.useInternalIp);
  t.true(pool.hostKeyChecking);
  t.is(pool.nodeAttributes, null);
  t.is(pool.priority, undefined);
  t.deepEqual([...pool.labels.keys()], ['debian9', 'debian9-large']);

  const medium = pool.labels.get('debian9')!;
  t.is(medium.cloudImage, 'debian9');
  t.is(medium.diskimage, undefined);
  t.is(medium.instanceType, 't3.medium');
  t.is(medium.keyName, 'zuul');
  t.deepEqual(medium.iamInstanceProfile, { arn: 'arn:aws:iam::123456789012:instance-profile/s3-read-only' });
  t.deepEqual(medium.tags, { key1: 'value1' });
  t.deepEqual(medium.dynamicTags, {});
  t.false(medium.useSpot);
  t.false(medium.ebsOptimized);
  t.is(medium.volumeType, null);
  t.is(medium.volumeSize, null);
  t.is(medium.userdata, null);
  t.true(medium.hostKeyChecking);

  const large = pool.labels.get('debian9-large')!;
  t.true(large.useSpot);
  t.is(large.iamInstanceProfile, null);
  t.deepEqual(large.tags, { key1: 'value1', key2: 'value2' });
});

test('accepts uploaded diskimages and fills in their defaults', async (t) => {
  const result = await validate(await fixture('diskimages.yaml'));
  t.deepEqual(result.messages, []);
  const provider = providerOf(result.config, 'ec2-images');
  t.true(provider.manageImages);
  t.deepEqual(provider.diskimages, ['bionic', 'windows']);
  t.deepEqual(provider.objectStorage, { bucketName: 'nodepool-images' });
  t.is(provider.imageFormat, 'vhd');
  t.is(provider.imageImportTimeout, 3600);

  const bionic = provider.providerDiskimages.get('bionic')!;
  t.false(bionic.pause);
  t.is(bionic.username, 'zuul', 'the top-level diskimage default');
  t.is(bionic.connectionPort, 22);
  t.is(bionic.architecture, 'x86_64');
  t.true(bionic.enaSupport);
  t.is(bionic.volumeType, 'gp2', "9.0.0's default (gp3 came with 10.0.0)");
  t.is(bionic.volumeSize, null);
  t.is(bionic.importMethod, 'snapshot');
  t.deepEqual(bionic.tags, {});

  const windows = provider.providerDiskimages.get('windows')!;
  t.is(windows.username, 'Administrator', 'taken from the top-level diskimage');
  t.is(windows.connectionType, 'winrm');
  t.is(windows.connectionPort, 5986);
  t.is(windows.importMethod, 'image');
  t.is(windows.volumeType, 'gp3');
  t.is(windows.iops, 3000);
  t.is(windows.throughput, 125);
  t.deepEqual(windows.tags, { os: 'windows' });

  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, Infinity);
  t.is(pool.labels.get('windows')!.diskimage, 'windows');
  t.is(pool.labels.get('windows')!.cloudImage, undefined);
});

test('accepts the cloud images of the docs that name an image', async (t) => {
  const result = await validate(
    config({
      cloudImage: 'name: debian9\nimage-filters:\n  - name: name\n    values:\n     - named-ami\n  - Name: architecture\n    Values: [x86_64]\nusername: ubuntu\nconnection-type: winrm',
    }),
  );
  t.deepEqual(result.messages, []);
  const image = providerOf(result.config, 'ec2').cloudImages.get('debian9')!;
  t.is(image.imageId, null);
  t.deepEqual(image.imageFilters, [
    { name: 'name', values: ['named-ami'] },
    { name: 'architecture', values: ['x86_64'] },
  ]);
  t.is(image.connectionPort, 5986);
});

test('pools inherit the provider quota and merge its max-resources', async (t) => {
  const result = await validate(
    config({
      provider: `${PROVIDER}\nmax-servers: 20\nmax-cores: 400\nmax-ram: 100000\nmax-resources:\n  L-43DA4232: 448\n  L-1216C47A: 100`,
      pool: 'name: main\nmax-cores: 64\nmax-resources:\n  L-1216C47A: 32',
    }),
  );
  t.deepEqual(result.messages, []);
  const provider = providerOf(result.config, 'ec2');
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 20);
  t.is(pool.maxCores, 64);
  t.is(pool.maxRam, 100000);
  t.deepEqual(pool.maxResources, { 'L-43DA4232': 448, 'L-1216C47A': 32 });
  t.deepEqual(provider.maxResources, { 'L-43DA4232': 448, 'L-1216C47A': 100 });
});

test('the deprecated public-ip-address wins over public-ipv4', async (t) => {
  const result = await validate(config({ pool: `${POOL}\npublic-ipv4: true\npublic-ip-address: false\npublic-ipv6: true\nhost-key-checking: false` }));
  t.deepEqual(result.messages, []);
  const pool = providerOf(result.config, 'ec2').pools.get('main')!;
  t.false(pool.publicIpv4);
  t.true(pool.publicIpv6);
  t.false(pool.hostKeyChecking);
  t.false(pool.labels.get('debian9')!.hostKeyChecking);
});

test('accepts the keys 9.0.0 still had: hostname-format, rate as an integer, iops and dynamic tags', async (t) => {
  const result = await validate(
    config({
      provider: `${PROVIDER}\nhostname-format: '{label.name}-{node.id}'\nrate: 5\nprofile-name: ci\nboot-timeout: 60\nlaunch-retries: 5`,
      label: `${LABEL}\nebs-optimized: true\nvolume-type: gp3\nvolume-size: 80\niops: 3000\nthroughput: 200\nuserdata: '#cloud-config'\ndynamic-tags:\n  request_info: 'Created for request {request.id}'\niam-instance-profile: {}`,
    }),
  );
  t.deepEqual(result.messages, []);
  const provider = providerOf(result.config, 'ec2');
  t.is(provider.rate, 5);
  t.is(provider.profileName, 'ci');
  t.is(provider.bootTimeout, 60);
  t.is(provider.launchRetries, 5);
  const label = provider.pools.get('main')!.labels.get('debian9')!;
  t.true(label.ebsOptimized);
  t.is(label.iops, 3000);
  t.is(label.throughput, 200);
  t.deepEqual(label.dynamicTags, { request_info: 'Created for request {request.id}' });
  t.deepEqual(label.iamInstanceProfile, {});
});

test('integers given as booleans count as 1 and 0, as in Python', async (t) => {
  const result = await validate(config({ pool: 'name: main\nmax-servers: true\nmax-resources:\n  L-43DA4232: false' }));
  t.deepEqual(result.messages, []);
  const pool = providerOf(result.config, 'ec2').pools.get('main')!;
  t.is(pool.maxServers, 1);
  t.deepEqual(pool.maxResources, { 'L-43DA4232': 0 });
});

test('our opt-ins: endpoint-url, imds-http-tokens, dedicated hosts in a pool’s zone, spot falling back to on-demand', async (t) => {
  const result = await validate(
    config({
      provider: `${PROVIDER}\nendpoint-url: http://127.0.0.1:4566`,
      pool: `${POOL}\navailability-zone: us-west-2a`,
      label: `${LABEL}\nimds-http-tokens: required`,
    }),
  );
  t.deepEqual(result.messages, []);
  const provider = providerOf(result.config, 'ec2');
  t.is(provider.endpointUrl, 'http://127.0.0.1:4566');
  t.is(provider.pools.get('main')!.availabilityZone, 'us-west-2a');
  const label = provider.pools.get('main')!.labels.get('debian9')!;
  t.is(label.imdsHttpTokens, 'required');
  t.false(label.dedicatedHost);
  t.false(label.fallbackToOnDemand);

  const hosts = await validate(config({ pool: `${POOL}\navailability-zone: us-west-2a`, label: `${LABEL}\ndedicated-host: true` }));
  t.deepEqual(hosts.messages, []);
  t.true(providerOf(hosts.config, 'ec2').pools.get('main')!.labels.get('debian9')!.dedicatedHost);
  const fallback = await validate(config({ label: `${LABEL}\nuse-spot: true\nfallback-to-on-demand: true` }));
  t.deepEqual(fallback.messages, []);
  t.true(providerOf(fallback.config, 'ec2').pools.get('main')!.labels.get('debian9')!.fallbackToOnDemand);
});

test('opt-ins that cannot work together stop loading: dedicated hosts without a zone or with spot, a fallback without spot', async (t) => {
  const noZone = await validate(config({ label: `${LABEL}\ndedicated-host: true` }));
  t.is(noZone.config, undefined);
  t.regex(noZone.messages.join('\n'), /dedicated-host: label debian9 asks for dedicated hosts, which are allocated in one zone: set availability-zone on pool main/);
  const spotHost = await validate(config({ pool: `${POOL}\navailability-zone: us-west-2a`, label: `${LABEL}\ndedicated-host: true\nuse-spot: true` }));
  t.is(spotHost.config, undefined);
  t.regex(spotHost.messages.join('\n'), /spot instances cannot be launched on a dedicated host/);
  const noSpot = await validate(config({ label: `${LABEL}\nfallback-to-on-demand: true` }));
  t.is(noSpot.config, undefined);
  t.regex(noSpot.messages.join('\n'), /fallback-to-on-demand applies to spot labels only/);
});

// ---- rejected configurations (the original validator's verdict) -----------------------------

const invalid: [string, Parameters<typeof config>[0], RegExp][] = [
  // missing required keys
  ['a provider without region-name', { provider: 'rate: 2.0' }, /providers\[0\]\.region-name: required key not provided/],
  ['a pool without a name', { pool: 'max-servers: 5' }, /providers\[0\]\.pools\[0\]\.name: required key not provided/],
  ['a label without instance-type', { label: 'name: debian9\ncloud-image: debian9\nkey-name: zuul' }, /labels\[0\]\.instance-type: required key not provided/],
  ['a label without key-name', { label: 'name: debian9\ncloud-image: debian9\ninstance-type: t3.medium' }, /labels\[0\]\.key-name: required key not provided/],
  ['a cloud image without username', { cloudImage: 'name: debian9\nimage-id: ami-0123' }, /cloud-images\[0\]\.username: required key not provided/],
  ['object storage without bucket-name', { provider: `${PROVIDER}\nobject-storage: {}` }, /object-storage\.bucket-name: required key not provided/],
  [
    'a cloud image with neither image-id nor image-filters (the docs example my-custom-win2k3)',
    { cloudImage: 'name: debian9\nconnection-type: winrm\nusername: admin' },
    /providers\[0\]\.cloud-images\[0\]: Provide either "image-filters", or "image-id" keys/,
  ],
  // wrong types
  ['a boot-timeout given as a decimal', { provider: `${PROVIDER}\nboot-timeout: 1.5` }, /providers\[0\]\.boot-timeout: expected an integer/],
  ['a rate that is not a number', { provider: `${PROVIDER}\nrate: fast` }, /providers\[0\]\.rate: expected a number/],
  ['a max-servers given as a string', { pool: "name: main\nmax-servers: '5'" }, /pools\[0\]\.max-servers: expected an integer/],
  ['ebs-optimized given as 1', { label: `${LABEL}\nebs-optimized: 1` }, /labels\[0\]\.ebs-optimized: expected a boolean/],
  ['tags given as a list', { label: `${LABEL}\ntags: [a, b]` }, /labels\[0\]\.tags: expected a mapping/],
  ['a max-resources value that is not an integer', { provider: `${PROVIDER}\nmax-resources:\n  L-43DA4232: lots` }, /max-resources\.L-43DA4232: expected an integer/],
  ['image filter values that are not strings', { cloudImage: 'name: debian9\nusername: admin\nimage-filters:\n  - name: tag:size\n    values: [1]' }, /image-filters\[0\]\.values\[0\]: expected a string/],
  ['an empty diskimages key (null)', { provider: `${PROVIDER}\ndiskimages:` }, /providers\[0\]\.diskimages: expected a list/],
  // bad enum values
  ['an unknown import-method', { provider: `${PROVIDER}\ndiskimages:\n  - name: debian9\n    import-method: ebs-direct` }, /diskimages\[0\]\.import-method: expected one of "snapshot", "image"/],
  ['an unknown image-format', { provider: `${PROVIDER}\nimage-format: qcow2` }, /providers\[0\]\.image-format: expected one of/],
  // unknown keys at each level
  ['launch-timeout at provider level (documented, but not in the 9.0.0 schema)', { provider: `${PROVIDER}\nlaunch-timeout: 600` }, /providers\[0\]\.launch-timeout: unknown key/],
  ['post-upload-hook at provider level', { provider: `${PROVIDER}\npost-upload-hook: /bin/true` }, /providers\[0\]\.post-upload-hook: unknown key/],
  ['use-internal-ip in a pool (documented, but not in the 9.0.0 schema)', { pool: `${POOL}\nuse-internal-ip: true` }, /pools\[0\]\.use-internal-ip: unknown key/],
  ['imdsv2 on a label (10.0.0)', { label: `${LABEL}\nimdsv2: required` }, /labels\[0\]\.imdsv2: unknown key/],
  ['fleet on a label (11.0.0)', { label: `${LABEL}\nfleet: {}` }, /labels\[0\]\.fleet: unknown key/],
  ['image-name on a cloud image', { cloudImage: `${CLOUD_IMAGE}\nimage-name: debian` }, /cloud-images\[0\]\.image-name: unknown key/],
  ['imds-support on a diskimage (10.0.0)', { provider: `${PROVIDER}\ndiskimages:\n  - name: debian9\n    imds-support: v2.0` }, /diskimages\[0\]\.imds-support: unknown key/],
  ['an unknown key in an image filter', { cloudImage: 'name: debian9\nusername: admin\nimage-filters:\n  - Filter: name\n    values: [x]' }, /image-filters\[0\]\.Filter: unknown key/],
  ['an unknown key in iam-instance-profile', { label: `${LABEL}\niam-instance-profile:\n  id: AIPA123` }, /iam-instance-profile\.id: unknown key/],
  // exclusive groups
  ['a label with both cloud-image and diskimage', { label: `${LABEL}\ndiskimage: debian9` }, /labels\[0\]\.diskimage: cannot be combined with cloud-image/],
  ['a cloud image with both image-id and image-filters', { cloudImage: `${CLOUD_IMAGE}\nimage-filters: []` }, /cloud-images\[0\]\.image-filters: cannot be combined with image-id/],
  // our opt-ins (docs/compatibility.md), checked like the rest
  ['an imds-http-tokens value AWS does not take', { label: `${LABEL}\nimds-http-tokens: v2` }, /labels\[0\]\.imds-http-tokens: expected one of "required", "optional"/],
  ['dedicated-host given as a string', { label: `${LABEL}\ndedicated-host: 'yes'` }, /labels\[0\]\.dedicated-host: expected a boolean/],
  ['an endpoint-url that is not a URL', { provider: `${PROVIDER}\nendpoint-url: localhost:4566` }, /providers\[0\]\.endpoint-url: /],
  ['an iam-instance-profile with both name and arn', { label: `${LABEL}\niam-instance-profile:\n  name: reader\n  arn: arn:aws:iam::1:instance-profile/reader` }, /iam-instance-profile\.arn: cannot be combined with name/],
];

for (const [title, parts, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, config(parts), [awsDriver], message, { onlyError: true }));
}

test('rejects a provider without pools', async (t) => {
  const result = await validate('labels: []\nproviders:\n  - name: ec2\n    driver: aws\n    region-name: us-west-2\n');
  t.false(result.valid);
  t.regex(result.messages.join('\n'), /^nodepool\.yaml:\d+ providers\[0\]\.pools: required key not provided/m);
});

test('rejects a pool without labels', async (t) => {
  const result = await validate('providers:\n  - name: ec2\n    driver: aws\n    region-name: us-west-2\n    pools:\n      - name: main\n');
  t.false(result.valid);
  t.regex(result.messages.join('\n'), /providers\[0\]\.pools\[0\]\.labels: required key not provided/);
});

// ---- load-time problems (they stop daemons, not the validator's verdict) ----------------------

test('a label naming a cloud image the provider lacks passes validation but stops loading', async (t) => {
  const result = await validate(config({ label: 'name: debian9\ncloud-image: debian10\ninstance-type: t3.medium\nkey-name: zuul' }));
  t.true(result.valid, 'the original validator does not look at references');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /labels\[0\]\.cloud-image: cloud-image debian10 does not exist in provider ec2 but is referenced in label debian9/);
});

test('a label naming a diskimage the provider does not upload stops loading', async (t) => {
  const result = await validate(config({ label: 'name: debian9\ndiskimage: debian9\ninstance-type: t3.medium\nkey-name: zuul' }));
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /labels\[0\]\.diskimage: diskimage debian9 does not exist in provider ec2 but is referenced in label debian9/);
});

test('a provider diskimage missing from the top-level diskimages stops loading', async (t) => {
  const result = await validate(config({ provider: `${PROVIDER}\ndiskimages:\n  - name: bionic` }));
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /diskimage "bionic" is not defined in the top-level diskimages/);
});

test("keys 9.0.0's load reads but its schema lacks fail config-validate, yet the daemons use them", async (t) => {
  const result = await validate(
    config({
      provider: `${PROVIDER}\nlaunch-timeout: 900\npost-upload-hook: /usr/local/bin/hook\nuse-internal-ip: true\nhost-key-checking: false\npublic-ipv4: false\npublic-ipv6: true`,
      pool: `${POOL}\nuse-internal-ip: false`,
    }),
  );
  t.false(result.valid);
  t.is(result.errors.length, 7);
  t.true(result.errors.every((issue) => issue.validatorOnly === true && issue.message.startsWith('unknown key')));
  const provider = providerOf(result.config, 'ec2');
  t.is(provider.launchTimeout, 900);
  t.is(provider.postUploadHook, '/usr/local/bin/hook');
  const pool = provider.pools.get('main')!;
  t.false(pool.useInternalIp, "the pool's own setting wins");
  t.false(pool.hostKeyChecking);
  t.false(pool.publicIpv4);
  t.true(pool.publicIpv6);
});
