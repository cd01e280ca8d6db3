import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import { kubernetesDriver, type KubernetesProviderConfig } from '@nodepool/driver-k8s';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: kubernetes-namespace
  - name: pod-fedora
`;

// The example of the Kubernetes Driver docs page.
const docsExample = `${header}
providers:
  - name: kubespray
    driver: kubernetes
    context: admin-cluster.local
    pools:
      - name: main
        labels:
          - name: kubernetes-namespace
            type: namespace
          - name: pod-fedora
            type: pod
            image: docker.io/fedora:28
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [kubernetesDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('kubespray') as KubernetesProviderConfig;
  t.is(provider.driver, 'kubernetes');
  t.is(provider.context, 'admin-cluster.local');
  t.is(provider.launchRetries, 3);
  t.is(provider.maxServers, Infinity);
  t.is(provider.maxCores, Infinity);
  t.is(provider.maxRam, Infinity);
  t.deepEqual(provider.maxResources, {});
  t.false(provider.manageImages);
  t.deepEqual(provider.diskimages, []);
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, Infinity);
  t.is(pool.maxCores, Infinity);
  t.deepEqual([...pool.labels.keys()], ['kubernetes-namespace', 'pod-fedora']);
  t.is(pool.labels.get('kubernetes-namespace')!.type, 'namespace');
  t.is(pool.labels.get('kubernetes-namespace')!.image, null);
  t.deepEqual(pool.labels.get('pod-fedora'), {
    name: 'pod-fedora',
    type: 'pod',
    image: 'docker.io/fedora:28',
    imagePull: 'IfNotPresent',
    pythonPath: 'auto',
    shellType: null,
    cpu: null,
    memory: null,
    storage: null,
    cpuLimit: null,
    memoryLimit: null,
    storageLimit: null,
    gpu: null,
    gpuResource: null,
    extraResources: {},
    env: [],
    nodeSelector: null,
    privileged: null,
    schedulerName: null,
    volumes: null,
    volumeMounts: null,
    labels: null,
    annotations: null,
  });
});

// Every key of the 9.0.0 schema.
const everything = `${header}
providers:
  - name: k8s
    driver: kubernetes
    launch-retries: 5
    max-servers: 40
    max-cores: 64
    max-ram: 131072
    max-resources:
      nvidia.com/gpu: 4
    pools:
      - name: main
        priority: 2
        node-attributes:
          cluster: east
        max-servers: 10
        max-ram: 65536
        max-resources:
          example.com/fpga: 1
        default-label-cpu: 2
        default-label-memory: 1024
        default-label-storage: 2048
        default-label-memory-limit: 4096
        default-label-extra-resources:
          example.com/fpga: 0
        labels:
          - name: pod-fedora
            type: pod
            image: docker.io/fedora:28
            image-pull: Always
            python-path: /usr/bin/python3
            shell-type: sh
            cpu: 4
            storage-limit: 8192
            gpu: 1.0
            gpu-resource: nvidia.com/gpu
            extra-resources:
              nvidia.com/gpu: 1
            env:
              - name: FOO
                value: bar
            node-selector:
              storageType: ssd
            privileged: true
            scheduler-name: custom-scheduler
            volumes:
              - name: cache
                emptyDir: {}
            volume-mounts:
              - name: cache
                mountPath: /cache
            labels:
              team: ci
            annotations:
              example.com/owner: zuul
          - name: kubernetes-namespace
            type: namespace
`;

test('accepts every key of the schema and applies pool defaults to labels', async (t) => {
  const result = await validateConfigText(everything, [kubernetesDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('k8s') as KubernetesProviderConfig;
  t.is(provider.context, null, 'in-cluster configuration');
  t.is(provider.launchRetries, 5);
  t.is(provider.maxServers, 40);
  t.deepEqual(provider.maxResources, { 'nvidia.com/gpu': 4 });
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 10);
  t.is(pool.maxCores, 64, 'from the provider');
  t.is(pool.maxRam, 65536);
  t.deepEqual(pool.maxResources, { 'nvidia.com/gpu': 4, 'example.com/fpga': 1 });
  t.deepEqual(pool.nodeAttributes, { cluster: 'east' });
  t.is(pool.priority, 2);
  const pod = pool.labels.get('pod-fedora')!;
  t.is(pod.cpu, 4);
  t.is(pod.cpuLimit, 4, 'no limit anywhere: the request');
  t.is(pod.memory, 1024, 'the pool default');
  t.is(pod.memoryLimit, 4096, 'the pool default limit');
  t.is(pod.storage, 2048);
  t.is(pod.storageLimit, 8192);
  t.is(pod.gpu, 1);
  t.deepEqual(pod.extraResources, { 'example.com/fpga': 0, 'nvidia.com/gpu': 1 });
  t.deepEqual(pod.env, [{ name: 'FOO', value: 'bar' }]);
  t.true(pod.privileged);
  t.deepEqual(pod.volumes, [{ name: 'cache', emptyDir: {} }]);
  t.deepEqual(pod.labels, { team: 'ci' });
  const namespace = pool.labels.get('kubernetes-namespace')!;
  t.is(namespace.cpu, 2, 'defaults apply whatever the type');
  t.is(namespace.memoryLimit, 4096);
});

test('a pool without max-servers is not limited by the provider value', async (t) => {
  const result = await validateConfigText(docsExample.replace('    context: admin-cluster.local\n', '    max-servers: 3\n'), [kubernetesDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('kubespray') as KubernetesProviderConfig;
  t.is(provider.maxServers, 3);
  t.is(provider.pools.get('main')!.maxServers, Infinity, 'the provider limit applies to all pools together');
});

const provider = (labelYaml: string, poolExtra = '', providerExtra = ''): string =>
  `${header}\nproviders:\n  - name: k\n    driver: kubernetes\n${providerExtra}    pools:\n      - name: main\n${poolExtra}        labels:\n          - name: pod-fedora\n${labelYaml}`;
const pod = '            type: pod\n            image: fedora\n';

const invalid: [string, string, RegExp][] = [
  ['a gpu count written as an integer', provider(`${pod}            gpu: 1\n`), /^nodepool\.yaml:\d+ providers\[0\]\.pools\[0\]\.labels\[0\]\.gpu: expected a decimal number, got the integer 1 \(write it with a decimal point\)$/m],
  ['a label without a type, which the docs call optional', provider('            image: fedora\n'), /labels\[0\]\.type: required key not provided/],
  ['a label spec, added in 10.0.0', provider(`            type: pod\n            spec:\n              containers: []\n`), /labels\[0\]\.spec: unknown key/],
  ['a label username, added after 10.0.0', provider(`${pod}            username: zuul\n`), /labels\[0\]\.username: unknown key/],
  ['image-pull-secrets, which only openshift has', provider(`${pod}            image-pull-secrets: []\n`), /labels\[0\]\.image-pull-secrets: unknown key/],
  ['an env entry without a value', provider(`${pod}            env:\n              - name: FOO\n`), /env\[0\]\.value: required key not provided/],
  ['an env value that is a number', provider(`${pod}            env:\n              - name: FOO\n                value: 1\n`), /env\[0\]\.value: expected a string, got the integer 1/],
  ['an unknown env key', provider(`${pod}            env:\n              - name: FOO\n                value: bar\n                valueFrom: {}\n`), /env\[0\]\.valueFrom: unknown key/],
  ['cpu given as a decimal', provider(`${pod}            cpu: 0.5\n`), /labels\[0\]\.cpu: expected an integer/],
  ['memory given as a string with a unit', provider(`${pod}            memory: 512Mi\n`), /labels\[0\]\.memory: expected an integer/],
  ['a node selector that is a list', provider(`${pod}            node-selector: [ssd]\n`), /node-selector: expected a mapping/],
  ['volumes given as a mapping', provider(`${pod}            volumes:\n              cache: {}\n`), /labels\[0\]\.volumes: expected a list/],
  ['extra resources counted in decimals', provider(`${pod}            extra-resources:\n              example.com/fpga: 0.5\n`), /extra-resources\.example\.com\/fpga: expected an integer/],
  ['annotations without a value', provider(`${pod}            annotations:\n`), /labels\[0\]\.annotations: expected a mapping, got nothing/],
  ['a default label cpu given as a decimal', provider(pod, '        default-label-cpu: 1.5\n'), /pools\[0\]\.default-label-cpu: expected an integer/],
  ['an unknown pool key', provider(pod, '        max-pods: 4\n'), /pools\[0\]\.max-pods: unknown key/],
  ['max-resources with a decimal limit', provider(pod, '', '    max-resources:\n      nvidia.com/gpu: 2.5\n'), /providers\[0\]\.max-resources\.nvidia\.com\/gpu: expected an integer/],
  ['an unknown provider key', provider(pod, '', '    namespace: ci\n'), /providers\[0\]\.namespace: unknown key/],
  ['max-projects, which is openshift spelling', provider(pod, '', '    max-projects: 4\n'), /providers\[0\]\.max-projects: unknown key/],
  ['a pool without labels', `${header}\nproviders:\n  - name: k\n    driver: kubernetes\n    pools:\n      - name: main\n`, /pools\[0\]\.labels: required key not provided/],
  ['a provider without pools', `${header}\nproviders:\n  - name: k\n    driver: kubernetes\n    context: c\n`, /providers\[0\]\.pools: required key not provided/],
];

for (const [title, yaml, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, yaml, [kubernetesDriver], message));
}

test('privileged, extra-resources and default-label-extra-resources are accepted, as by 9.0.0', async (t) => {
  const result = await validateConfigText(
    provider(`${pod}            privileged: false\n            extra-resources: {}\n`, '        default-label-extra-resources: {}\n'),
    [kubernetesDriver],
  );
  t.deepEqual(result.messages, []);
});

test('dynamic-labels, a key of later versions, is rejected as by 9.0.0', async (t) => {
  const result = await validateConfigText(provider(`${pod}            dynamic-labels: {}\n`), [kubernetesDriver]);
  t.false(result.valid);
});

test('a label missing from the top-level labels passes validation but stops loading', async (t) => {
  const result = await validateConfigText(docsExample.replace('- name: pod-fedora\n            type: pod', '- name: pod-centos\n            type: pod'), [kubernetesDriver]);
  t.true(result.valid, 'the original validator checks this for openstack only');
  t.is(result.config, undefined);
  t.regex(result.messages.join('\n'), /label "pod-centos" is not defined in the top-level labels/);
});
