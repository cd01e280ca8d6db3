import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import { openshiftPodsDriver, type OpenshiftPodsProviderConfig } from '@nodepool/driver-k8s';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: openshift-pod
`;

// The example of the Openshift Pods Driver docs page.
const docsExample = `${header}
providers:
  - name: cluster
    driver: openshiftpods
    context: unprivileged-context-name
    pools:
      - name: main
        labels:
          - name: openshift-pod
            image: docker.io/fedora:28
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [openshiftPodsDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('cluster') as OpenshiftPodsProviderConfig;
  t.is(provider.driver, 'openshiftpods');
  t.is(provider.context, 'unprivileged-context-name');
  t.is(provider.launchRetries, 3);
  t.is(provider.maxServers, Infinity);
  t.false(provider.manageImages);
  t.deepEqual(provider.diskimages, []);
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, Infinity);
  const pod = pool.labels.get('openshift-pod')!;
  t.is(pod.type, 'pod', 'every label is a pod');
  t.is(pod.image, 'docker.io/fedora:28');
  t.is(pod.imagePull, 'IfNotPresent');
  t.deepEqual(pod.imagePullSecrets, []);
  t.is(pod.cpu, null);
  t.is(pod.cpuLimit, null);
});

test('max-pods limits the provider and is the default of each pool', async (t) => {
  const result = await validateConfigText(docsExample.replace('    context: unprivileged-context-name\n', '    context: c\n    max-pods: 12\n    max-ram: 8192\n'), [openshiftPodsDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('cluster') as OpenshiftPodsProviderConfig;
  t.is(provider.maxServers, 12);
  t.is(provider.pools.get('main')!.maxServers, 12);
  t.is(provider.pools.get('main')!.maxRam, 8192);
});

test('labels share the openshift pod settings and pool defaults', async (t) => {
  const result = await validateConfigText(
    docsExample.replace('        labels:\n', '        default-label-memory: 512\n        default-label-storage-limit: 100\n        labels:\n') +
      '            image-pull-secrets:\n              - name: registry-secret\n            env:\n              - name: A\n                value: b\n',
    [openshiftPodsDriver],
  );
  t.deepEqual(result.messages, []);
  const pod = (result.config!.providers.get('cluster') as OpenshiftPodsProviderConfig).pools.get('main')!.labels.get('openshift-pod')!;
  t.is(pod.memory, 512);
  t.is(pod.memoryLimit, 512);
  t.is(pod.storage, null);
  t.is(pod.storageLimit, 100);
  t.deepEqual(pod.imagePullSecrets, [{ name: 'registry-secret' }]);
  t.deepEqual(pod.env, [{ name: 'A', value: 'b' }]);
});

const provider = (labelYaml: string, providerExtra = '    context: c\n'): string =>
  `${header}\nproviders:\n  - name: p\n    driver: openshiftpods\n${providerExtra}    pools:\n      - name: main\n        labels:\n          - name: openshift-pod\n${labelYaml}`;
const image = '            image: fedora\n';

const invalid: [string, string, RegExp][] = [
  ['a label type, as in the image-pull-secrets docs example', provider(`            type: pod\n${image}`), /^nodepool\.yaml:\d+ providers\[0\]\.pools\[0\]\.labels\[0\]\.type: unknown key/m],
  ['a label without an image', provider('            cpu: 1\n'), /labels\[0\]\.image: required key not provided/],
  ['a provider without a context', provider(image, ''), /providers\[0\]\.context: required key not provided/],
  ['max-projects, which is openshift spelling', provider(image, '    context: c\n    max-projects: 3\n'), /providers\[0\]\.max-projects: unknown key/],
  ['max-servers on the provider, documented but not in the schema', provider(image, '    context: c\n    max-servers: 3\n'), /providers\[0\]\.max-servers: unknown key/],
  ['a gpu count written as a number (a string here, unlike kubernetes and openshift)', provider(`${image}            gpu: 1.0\n`), /labels\[0\]\.gpu: expected a string/],
  ['a label spec, added in 10.0.0', provider('            spec: {}\n'), /labels\[0\]\.spec: unknown key/],
  ['an unknown pool key', `${header}\nproviders:\n  - name: p\n    driver: openshiftpods\n    context: c\n    pools:\n      - name: main\n        project: ci\n        labels: []\n`, /pools\[0\]\.project: unknown key/],
];

for (const [title, yaml, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, yaml, [openshiftPodsDriver], message));
}

test('a label missing from the top-level labels passes validation but stops loading', async (t) => {
  const result = await validateConfigText(docsExample.replace('          - name: openshift-pod', '          - name: other-pod'), [openshiftPodsDriver]);
  t.true(result.valid);
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /label "other-pod" is not defined in the top-level labels/);
});
