import test from 'ava';
import { labelQuota } from '../src/label-quota.js';
import { providerConfig, type KubernetesProviderConfig } from './helpers/configs.js';

async function kubernetesLabel(labelYaml: string, poolYaml = '') {
  const config = await providerConfig<KubernetesProviderConfig>(
    `labels:\n  - name: fedora\nproviders:\n  - name: k8s\n    driver: kubernetes\n    pools:\n      - name: main\n${poolYaml}        labels:\n          - name: fedora\n            type: pod\n            image: fedora:39\n${labelYaml}`,
    'k8s',
  );
  return config.pools.get('main')!.labels.get('fedora')!;
}

test("a label's quota is 9.0.0's: cores, one instance and RAM always, then storage, GPUs and extra resources", async (t) => {
  const label = await kubernetesLabel('            cpu: 4\n            memory: 2048\n            storage: 100\n            gpu: 1.0\n            gpu-resource: nvidia.com/gpu\n            extra-resources: {licenses: 1}\n');
  const quota = labelQuota(label).toJson();
  t.deepEqual(quota, { cores: 4, instances: 1, ram: 2048, 'ephemeral-storage': 100, 'nvidia.com/gpu': 1, licenses: 1 });
  t.deepEqual(Object.keys(quota), ['cores', 'instances', 'ram', 'ephemeral-storage', 'nvidia.com/gpu', 'licenses'], 'in the order 9.0.0 writes them');
  t.deepEqual(labelQuota(await kubernetesLabel('', '        default-label-extra-resources: {licenses: 2}\n')).toJson(), { cores: 0, instances: 1, ram: 0, licenses: 2 });
});
