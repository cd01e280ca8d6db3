import test from 'ava';
import { validateConfigText } from '@nodepool/core/testing';
import { testDriver } from '../helpers/test-driver.js';

const drivers = [testDriver('test'), testDriver('openstack'), testDriver('fake')];

const full = `
webapp:
  port: 8022
  listen_address: 127.0.0.1
elements-dir: /etc/nodepool/elements
images-dir: /opt/nodepool/images
build-log-dir: /var/log/nodepool/builds
build-log-retention: 3
zookeeper-servers:
  - host: zk1.example.com
    port: 2281
    chroot: /nodepool
  - host: zk2.example.com
zookeeper-tls:
  ca: /etc/nodepool/ca.pem
  cert: /etc/nodepool/client.pem
  key: /etc/nodepool/client.key
zookeeper-timeout: 20.0
max-hold-age: 86400
tenant-resource-limits:
  - tenant-name: acme
    max-servers: 10
    max-cores: 200
    max-volumes: 4
    L-43DA4232: 64
    mygpu: 2
labels:
  - name: debian
    min-ready: 2
    max-ready-age: 3600
  - name: ubuntu
diskimages:
  - name: base
    abstract: true
    elements: [vm, simple-init]
    env-vars:
      DIB_A: a
    rebuild-age: 3600
  - name: debian
    parent: base
    elements: [debian-minimal]
    release: 12
    env-vars:
      DIB_B: b
    formats: [qcow2, raw]
  - name: ubuntu
    pause: true
providers:
  - name: cloud-a
    driver: test
    max-concurrency: 10
    diskimages:
      - name: debian
    pools:
      - name: main
        max-servers: 5
        labels:
          - name: debian
            diskimage: debian
          - name: ubuntu
`;

test('loads every top-level section with the original defaults', async (t) => {
  const result = await validateConfigText(full, drivers);
  t.deepEqual(result.messages, []);
  const config = result.config!;
  t.deepEqual(config.webapp, { port: 8022, listenAddress: '127.0.0.1' });
  t.deepEqual(config.zookeeperServers, [
    { host: 'zk1.example.com', port: 2281, chroot: '/nodepool' },
    { host: 'zk2.example.com', port: 2281, chroot: undefined },
  ]);
  t.is(config.zookeeperTimeout, 20);
  t.is(config.maxHoldAge, 86400);
  t.is(config.buildLogRetention, 3);
  t.deepEqual(config.labels.get('ubuntu'), { name: 'ubuntu', minReady: 0, maxReadyAge: 0 });
  t.deepEqual(config.tenantResourceLimits.get('acme'), {
    tenantName: 'acme',
    maxServers: 10,
    maxCores: 200,
    maxRam: Infinity,
    resources: { volumes: 4, 'L-43DA4232': 64, mygpu: 2 },
  });
  t.deepEqual([...config.providers.keys()], ['cloud-a']);
  t.is(config.providers.get('cloud-a')!.maxConcurrency, 10);
});

test('diskimages inherit from parents; abstract ones are not images', async (t) => {
  const { config } = await validateConfigText(full, drivers);
  t.deepEqual([...config!.diskimages.keys()], ['debian', 'ubuntu']);
  const debian = config!.diskimages.get('debian')!;
  t.deepEqual(debian.elements, ['vm', 'simple-init', 'debian-minimal']);
  t.deepEqual(debian.envVars, { DIB_A: 'a', DIB_B: 'b' });
  t.is(debian.rebuildAge, 3600);
  t.is(debian.release, '12');
  t.is(debian.username, 'zuul');
  t.is(debian.pythonPath, 'auto');
  t.true(config!.diskimages.get('ubuntu')!.pause);
});

test('a minimal file gets every default', async (t) => {
  const { config } = await validateConfigText('zookeeper-servers:\n  - host: zk\n', drivers);
  t.deepEqual(config!.webapp, { port: 8005, listenAddress: '0.0.0.0' });
  t.is(config!.zookeeperServers[0]!.port, 2281);
  t.is(config!.zookeeperTimeout, 10);
  t.is(config!.maxHoldAge, Infinity);
  t.is(config!.buildLogRetention, 7);
  t.is(config!.zookeeperTls, undefined);
});

test('reports every problem with file, line and key path', async (t) => {
  const result = await validateConfigText(
    `labels:
  - name: a
    min-ready: two
  - name: b
    colour: blue
webapp:
  port: "8005"
`,
    drivers,
  );
  t.false(result.valid);
  t.deepEqual(result.messages, [
    'nodepool.yaml:3 labels[0].min-ready: expected an integer, got the string "two"',
    'nodepool.yaml:5 labels[1].colour: unknown key (not allowed here)',
    'nodepool.yaml:7 webapp.port: expected an integer, got the string "8005"',
  ]);
});

test('reads YAML as PyYAML does: yes is a boolean, 017 is octal, 1e3 is text', async (t) => {
  const result = await validateConfigText('labels:\n  - name: a\n    min-ready: 017\n  - name: b\n    min-ready: 1e3\n', drivers);
  t.deepEqual(result.messages, ['nodepool.yaml:5 labels[1].min-ready: expected an integer, got the string "1e3"']);
  // Python's bool is an int: the original accepts this.
  t.true((await validateConfigText('labels:\n  - name: a\n    min-ready: yes\n', drivers)).valid);
});

test('substitutes %(NODEPOOL_…) environment variables, and only those', async (t) => {
  const result = await validateConfigText(
    'zookeeper-servers:\n  - host: "%(NODEPOOL_ZK_HOST)"\n    chroot: "%(HOME)/%(NODEPOOL_UNSET)"\n',
    drivers,
    { env: { NODEPOOL_ZK_HOST: 'zk.example.com', HOME: '/root' } },
  );
  t.deepEqual(result.config!.zookeeperServers[0], { host: 'zk.example.com', port: 2281, chroot: '%(HOME)/%(NODEPOOL_UNSET)' });
});

test('an empty file, several documents or broken YAML are errors', async (t) => {
  t.regex((await validateConfigText('# nothing\n', drivers)).messages[0]!, /the file is empty/);
  t.regex((await validateConfigText('labels: []\n---\nlabels: []\n', drivers)).messages[0]!, /single YAML document/);
  const broken = await validateConfigText('labels:\n  - name: [unclosed\n', drivers);
  t.false(broken.valid);
  t.regex(broken.messages[0]!, /^nodepool\.yaml:\d+ YAML syntax error/);
});

test('zookeeper-tls keys are each optional, as in the original validator', async (t) => {
  t.true((await validateConfigText('zookeeper-tls: {ca: /ca.pem}\n', drivers)).valid);
  t.regex((await validateConfigText('zookeeper-tls: {ca: /ca.pem, crt: x}\n', drivers)).messages[0]!, /zookeeper-tls\.crt: unknown key/);
});

test('a label without a name, a duplicate diskimage and a missing parent are errors', async (t) => {
  const result = await validateConfigText(
    'labels:\n  - min-ready: 1\ndiskimages:\n  - name: x\n  - name: x\n  - name: y\n    parent: nowhere\n',
    drivers,
  );
  t.deepEqual(result.messages, [
    'nodepool.yaml:2 labels[0].name: required key not provided',
    'nodepool.yaml:5 diskimages[1].name: diskimage "x" is already defined',
    'nodepool.yaml:7 diskimages[2].parent: diskimage "y" has a parent that does not exist: nowhere',
  ]);
});

test('openstack pool labels must be top-level labels; other drivers are only checked on load', async (t) => {
  const openstack = await validateConfigText('labels: []\nproviders:\n  - name: os\n    pools:\n      - name: p\n        labels:\n          - name: missing\n', drivers);
  t.deepEqual(openstack.messages, ['nodepool.yaml:7 providers[0].pools[0].labels[0].name: label "missing" is not defined in the top-level labels']);
  const other = await validateConfigText('labels: []\nproviders:\n  - name: t\n    driver: test\n    pools:\n      - name: p\n        labels:\n          - name: missing\n', drivers);
  t.true(other.valid);
  t.is(other.config, undefined);
  t.deepEqual(other.messages, ['nodepool.yaml:6 providers[0].pools[0]: label "missing" is not defined in the top-level labels']);
});

test('a provider named fake… uses the fake driver whatever it says, as in the original', async (t) => {
  const result = await validateConfigText('providers:\n  - name: fake-provider\n    driver: nonexistent\n    cloud: fake\n', drivers);
  t.deepEqual(result.messages, []);
  t.is(result.config!.providers.get('fake-provider')!.driver, 'fake');
});

test('an unknown driver names the drivers there are and the package to install', async (t) => {
  const result = await validateConfigText('providers:\n  - name: p\n    driver: gce\n', drivers);
  t.false(result.valid);
  t.regex(result.messages[0]!, /^nodepool\.yaml:3 providers\[0\]\.driver: Driver "gce" could not be found\./);
  t.regex(result.messages[0]!, /Drivers found: test, openstack, fake/);
});

test('the driver schema checks the provider, with the common keys added', async (t) => {
  const result = await validateConfigText('providers:\n  - name: p\n    driver: test\n    max-concurrency: many\n    region: x\n  - driver: test\n', drivers);
  t.deepEqual(result.messages, [
    'nodepool.yaml:4 providers[0].max-concurrency: expected an integer, got the string "many"',
    'nodepool.yaml:5 providers[0].region: unknown key (not allowed here)',
    'nodepool.yaml:6 providers[1].name: required key not provided',
  ]);
});

test('the secure file replaces ZooKeeper servers and TLS and adds diskimage env-vars', async (t) => {
  const result = await validateConfigText(full, drivers, {
    secure: 'zookeeper-servers:\n  - host: secret-zk\n    port: 2282\nzookeeper-tls:\n  ca: /secret/ca\ndiskimages:\n  - name: debian\n    env-vars:\n      PASSWORD: hunter2\n',
  });
  const config = result.config!;
  t.deepEqual(config.zookeeperServers, [{ host: 'secret-zk', port: 2282, chroot: undefined }]);
  t.deepEqual(config.zookeeperTls, { ca: '/secret/ca' });
  t.is(config.diskimages.get('debian')!.envVars.PASSWORD, 'hunter2');
  t.is(config.diskimages.get('debian')!.envVars.DIB_A, 'a');
});

test('a secure file naming an unknown diskimage stops loading, with its own file name', async (t) => {
  const result = await validateConfigText(full, drivers, { secure: 'diskimages:\n  - name: nope\n    env-vars: {A: b}\n' });
  t.true(result.valid);
  t.is(result.config, undefined);
  t.deepEqual(result.messages, ['secure.conf:2 diskimages[0].name: unknown diskimage nope']);
});

test('a provider diskimage missing from the top level stops loading', async (t) => {
  const result = await validateConfigText('providers:\n  - name: t\n    driver: test\n    diskimages:\n      - name: ghost\n', drivers);
  t.deepEqual(result.messages, ['nodepool.yaml:5 providers[0].diskimages: diskimage "ghost" is not defined in the top-level diskimages']);
});

test('an openstack provider diskimage or label diskimage missing from the top level makes the file invalid', async (t) => {
  const result = await validateConfigText(
    'labels: [{name: l}]\ndiskimages: [{name: real}]\nproviders:\n  - name: os\n    diskimages:\n      - name: ghost\n    pools:\n      - name: p\n        labels:\n          - name: l\n            diskimage: phantom\n',
    drivers,
  );
  t.false(result.valid);
  t.deepEqual(result.messages, [
    'nodepool.yaml:6 providers[0].diskimages[0].name: diskimage "ghost" is not defined in the top-level diskimages',
    'nodepool.yaml:11 providers[0].pools[0].labels[0].diskimage: diskimage "phantom" is not defined in the top-level diskimages',
  ]);
});

test('zookeeper-timeout must be written as a decimal number, yet an integer still loads, as in the original', async (t) => {
  t.true((await validateConfigText('zookeeper-timeout: 10.0\n', drivers)).valid);
  const integer = await validateConfigText('zookeeper-timeout: 10\n', drivers);
  t.false(integer.valid);
  t.deepEqual(integer.messages, ['nodepool.yaml:1 zookeeper-timeout: expected a decimal number, got the integer 10 (write it with a decimal point)']);
  t.is(integer.config!.zookeeperTimeout, 10);
  const text = await validateConfigText('zookeeper-timeout: soon\n', drivers);
  t.false(text.valid);
  t.is(text.config, undefined);
});

test('diskimages take metadata; shell-type fails config-validate yet loads, as in the original', async (t) => {
  t.true((await validateConfigText('diskimages:\n  - name: d\n    metadata: {owner: ci, size: 3}\n', drivers)).valid);
  t.false((await validateConfigText('diskimages:\n  - name: d\n    metadata: [a]\n', drivers)).valid);
  const shell = await validateConfigText('diskimages:\n  - name: d\n    shell-type: csh\n', drivers);
  t.deepEqual(shell.messages, ["nodepool.yaml:3 diskimages[0].shell-type: unknown key (not allowed here; Nodepool 9.0.0's daemons read it nevertheless)"]);
  t.is(shell.config!.diskimages.get('d')!.shellType, 'csh');
});

test('tenant-resource-limits take any other resource as an integer', async (t) => {
  t.true((await validateConfigText('tenant-resource-limits:\n  - tenant-name: a\n    L-43DA4232: 10\n    mygpu: 2\n', drivers)).valid);
  t.deepEqual((await validateConfigText('tenant-resource-limits:\n  - tenant-name: a\n    mygpu: two\n', drivers)).messages, [
    'nodepool.yaml:3 tenant-resource-limits[0].mygpu: expected an integer, got the string "two"',
  ]);
});

test('a file with many unknown keys is checked in linear time', async (t) => {
  // 20,000 problems each need their line: a search per problem made this quadratic (seconds).
  const keys = Array.from({ length: 20_000 }, (_, index) => `unknown-${index}: 1`).join('\n');
  const result = await validateConfigText(`${keys}\n`, drivers);
  t.is(result.errors.length, 20_000);
  t.is(result.errors[19_999]!.line, 20_000);
});

test('keys that are numbers or booleans in the YAML are refused where the original wants string keys', async (t) => {
  t.deepEqual((await validateConfigText('diskimages:\n  - name: d\n    env-vars: {1: x, "2": y}\n', drivers)).messages, [
    'nodepool.yaml:3 diskimages[0].env-vars.1: expected a string key, got 1',
  ]);
  t.deepEqual((await validateConfigText('tenant-resource-limits:\n  - tenant-name: a\n    true: 5\n', drivers)).messages, [
    'nodepool.yaml:3 tenant-resource-limits[0].true: unknown key (not allowed here)',
  ]);
  t.deepEqual((await validateConfigText('diskimages:\n  - name: d\n    metadata: {1: x, yes: y}\n', drivers)).messages, [], 'a dict takes any key');
});
