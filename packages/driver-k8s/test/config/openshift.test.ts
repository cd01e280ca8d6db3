import test from 'ava';
import { expectRejected, validateConfigText } from '@nodepool/core/testing';
import { openshiftDriver, type OpenshiftProviderConfig } from '@nodepool/driver-k8s';

const header = `
zookeeper-servers:
  - host: zk1.example.com
labels:
  - name: openshift-project
  - name: openshift-pod
`;

// The example of the Openshift Driver docs page.
const docsExample = `${header}
providers:
  - name: cluster
    driver: openshift
    context: context-name
    pools:
      - name: main
        labels:
          - name: openshift-project
            type: project
          - name: openshift-pod
            type: pod
            image: docker.io/fedora:28
`;

test('accepts the docs example and fills in the defaults', async (t) => {
  const result = await validateConfigText(docsExample, [openshiftDriver]);
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('cluster') as OpenshiftProviderConfig;
  t.is(provider.driver, 'openshift');
  t.is(provider.context, 'context-name');
  t.is(provider.launchRetries, 3);
  t.is(provider.maxServers, Infinity);
  t.is(provider.maxCores, Infinity);
  t.is(provider.maxRam, Infinity);
  t.false(provider.manageImages);
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, Infinity);
  const project = pool.labels.get('openshift-project')!;
  t.is(project.type, 'project');
  t.is(project.image, null);
  const pod = pool.labels.get('openshift-pod')!;
  t.is(pod.type, 'pod');
  t.is(pod.image, 'docker.io/fedora:28');
  t.is(pod.imagePull, 'IfNotPresent');
  t.deepEqual(pod.imagePullSecrets, []);
  t.is(pod.pythonPath, 'auto');
  t.is(pod.shellType, null);
  t.deepEqual(pod.env, []);
});

test('max-projects limits the provider and is the default of each pool', async (t) => {
  const result = await validateConfigText(
    docsExample.replace('    context: context-name\n', '    context: context-name\n    max-projects: 7\n    max-cores: 32\n    max-resources:\n      nvidia.com/gpu: 2\n'),
    [openshiftDriver],
  );
  t.deepEqual(result.messages, []);
  const provider = result.config!.providers.get('cluster') as OpenshiftProviderConfig;
  t.is(provider.maxServers, 7);
  const pool = provider.pools.get('main')!;
  t.is(pool.maxServers, 7);
  t.is(pool.maxCores, 32);
  t.deepEqual(pool.maxResources, { 'nvidia.com/gpu': 2 });
});

test('reads the 9.0.0 label keys: limits, gpu, secrets and metadata', async (t) => {
  const result = await validateConfigText(
    `${header}
providers:
  - name: cluster
    driver: openshift
    context: context-name
    pools:
      - name: main
        max-servers: 2
        default-label-cpu-limit: 8
        labels:
          - name: openshift-pod
            type: pod
            image: docker.io/fedora:28
            image-pull-secrets:
              - name: registry-secret
            cpu: 2
            memory: 2048
            memory-limit: 3072
            gpu: 0.5
            gpu-resource: amd.com/gpu
            scheduler-name: custom
            labels:
              team: ci
            annotations:
              note: x
`,
    [openshiftDriver],
  );
  t.deepEqual(result.messages, []);
  const pool = (result.config!.providers.get('cluster') as OpenshiftProviderConfig).pools.get('main')!;
  t.is(pool.maxServers, 2);
  const pod = pool.labels.get('openshift-pod')!;
  t.deepEqual(pod.imagePullSecrets, [{ name: 'registry-secret' }]);
  t.is(pod.cpuLimit, 8, 'the pool default limit wins over the request');
  t.is(pod.memoryLimit, 3072);
  t.is(pod.storageLimit, null);
  t.is(pod.gpu, 0.5);
  t.is(pod.gpuResource, 'amd.com/gpu');
  t.is(pod.schedulerName, 'custom');
  t.deepEqual(pod.annotations, { note: 'x' });
});

const provider = (labelYaml: string, providerExtra = '    context: c\n'): string =>
  `${header}\nproviders:\n  - name: o\n    driver: openshift\n${providerExtra}    pools:\n      - name: main\n        labels:\n          - name: openshift-pod\n${labelYaml}`;
const pod = '            type: pod\n            image: fedora\n';

const invalid: [string, string, RegExp][] = [
  ['a provider without a context', provider(pod, ''), /^nodepool\.yaml:\d+ providers\[0\]\.context: required key not provided$/m],
  ['max-servers on the provider, documented but not in the schema', provider(pod, '    context: c\n    max-servers: 4\n'), /providers\[0\]\.max-servers: unknown key/],
  ['max-pods, which is openshiftpods spelling', provider(pod, '    context: c\n    max-pods: 4\n'), /providers\[0\]\.max-pods: unknown key/],
  ['a label without a type', provider('            image: fedora\n'), /labels\[0\]\.type: required key not provided/],
  ['a gpu count written as an integer', provider(`${pod}            gpu: 2\n`), /labels\[0\]\.gpu: expected a decimal number, got the integer 2/],
  ['image pull secrets given as a string', provider(`${pod}            image-pull-secrets: registry-secret\n`), /image-pull-secrets: expected a list/],
  ['a label spec, added in 10.0.0', provider('            type: pod\n            spec: {}\n'), /labels\[0\]\.spec: unknown key/],
  ['privileged given as a string', provider(`${pod}            privileged: "true"\n`), /labels\[0\]\.privileged: expected a boolean/],
  ['a context that is not a string', provider(pod, '    context: 5\n'), /providers\[0\]\.context: expected a string/],
];

for (const [title, yaml, message] of invalid) {
  test(`rejects ${title}`, (t) => expectRejected(t, yaml, [openshiftDriver], message));
}

test('a label type other than project or pod passes, as in Nodepool', async (t) => {
  const result = await validateConfigText(provider('            type: namespace\n'), [openshiftDriver]);
  t.deepEqual(result.messages, []);
});
