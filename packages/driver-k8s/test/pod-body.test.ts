import test from 'ava';
import { podBody } from '../src/pod-body.js';
import { labelQuota } from '../src/label-quota.js';
import { providerConfig, type KubernetesProviderConfig, type OpenshiftPodsProviderConfig } from './helpers/configs.js';

const owner = { nodeId: '0000000042', provider: 'k8s', pool: 'main', label: 'fedora' };

async function kubernetesLabel(labelYaml: string, poolYaml = '') {
  const config = await providerConfig<KubernetesProviderConfig>(
    `labels:\n  - name: fedora\nproviders:\n  - name: k8s\n    driver: kubernetes\n    pools:\n      - name: main\n${poolYaml}        labels:\n          - name: fedora\n            type: pod\n            image: fedora:39\n${labelYaml}`,
    'k8s',
  );
  return config.pools.get('main')!.labels.get('fedora')!;
}

test("the pod of a label is 9.0.0's: one sleeping container named after the label, requests and limits in its units, Nodepool's labels", async (t) => {
  const label = await kubernetesLabel(
    [
      'cpu: 2',
      'memory: 1024',
      'storage: 500',
      'memory-limit: 2048',
      'gpu: 1.5',
      'gpu-resource: nvidia.com/gpu',
      'privileged: false',
      'scheduler-name: gang',
      'node-selector: {disk: ssd}',
      'volumes: [{name: cache, emptyDir: {}}]',
      'volume-mounts: [{name: cache, mountPath: /cache}]',
      'labels: {team: ci, nodepool_node_id: spoofed}',
      'annotations: {owner: zuul}',
      'env: [{name: A, value: b}]',
    ]
      .map((line) => `            ${line}\n`)
      .join(''),
  );
  const pod = podBody(label, 'fedora', 'fedora', owner) as unknown as Record<string, unknown>;
  t.deepEqual(pod, {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      name: 'fedora',
      labels: { team: 'ci', nodepool_node_id: '0000000042', nodepool_provider_name: 'k8s', nodepool_pool_name: 'main', nodepool_node_label: 'fedora' },
      annotations: { owner: 'zuul' },
    },
    spec: {
      containers: [
        {
          name: 'fedora',
          image: 'fedora:39',
          imagePullPolicy: 'IfNotPresent',
          command: ['/bin/sh', '-c'],
          args: ['while true; do sleep 30; done;'],
          env: [{ name: 'A', value: 'b' }],
          resources: {
            requests: { cpu: 2, memory: '1024Mi', 'ephemeral-storage': '500M', 'nvidia.com/gpu': '1.50' },
            limits: { cpu: 2, memory: '2048Mi', 'ephemeral-storage': '500M', 'nvidia.com/gpu': '1.50' },
          },
          volumeMounts: [{ name: 'cache', mountPath: '/cache' }],
          securityContext: { privileged: false },
        },
      ],
      nodeSelector: { disk: 'ssd' },
      schedulerName: 'gang',
      volumes: [{ name: 'cache', emptyDir: {} }],
    },
    restartPolicy: 'Never',
  });
});

test('a label asking for nothing gets no resources, no security context and no optional spec keys; the pool defaults apply', async (t) => {
  const bare = podBody(await kubernetesLabel(''), 'fedora', 'fedora', owner) as unknown as { spec: { containers: Record<string, unknown>[] } & Record<string, unknown> };
  t.deepEqual(Object.keys(bare.spec), ['containers']);
  t.deepEqual(Object.keys(bare.spec.containers[0]!), ['name', 'image', 'imagePullPolicy', 'command', 'args', 'env']);
  const defaulted = podBody(await kubernetesLabel('', '        default-label-cpu: 1\n        default-label-memory-limit: 256\n'), 'fedora', 'fedora', owner) as unknown as { spec: { containers: { resources: unknown }[] } };
  t.deepEqual(defaulted.spec.containers[0]!.resources, { requests: { cpu: 1 }, limits: { cpu: 1, memory: '256Mi' } });
});

test('openshiftpods: pods named <label>-<node>, image pull secrets always sent, and its string gpu formatted like a number', async (t) => {
  const config = await providerConfig<OpenshiftPodsProviderConfig>(
    "labels:\n  - name: fedora\nproviders:\n  - name: osp\n    driver: openshiftpods\n    context: ci\n    pools:\n      - name: ci\n        labels:\n          - name: fedora\n            image: fedora:39\n            gpu: '2'\n            gpu-resource: amd.com/gpu\n",
    'osp',
  );
  const label = config.pools.get('ci')!.labels.get('fedora')!;
  const pod = podBody(label, 'fedora', 'fedora-0000000042', owner, label.imagePullSecrets) as unknown as { metadata: { name: string }; spec: { imagePullSecrets: unknown[]; containers: { resources: unknown }[] } };
  t.is(pod.metadata.name, 'fedora-0000000042');
  t.deepEqual(pod.spec.imagePullSecrets, []);
  t.deepEqual(pod.spec.containers[0]!.resources, { requests: { 'amd.com/gpu': '2.00' }, limits: { 'amd.com/gpu': '2.00' } });
  t.deepEqual(labelQuota(label).toJson(), { cores: 0, instances: 1, ram: 0, 'amd.com/gpu': 2 });
});
