import { validateConfigText } from '@nodepool/core/testing';
import drivers, { type KubernetesProviderConfig, type OpenshiftPodsProviderConfig } from '@nodepool/driver-k8s';

/** The typed config of a provider section (`providers:` entry named `name`). */
export async function providerConfig<C>(body: string, name: string): Promise<C> {
  const result = await validateConfigText(`zookeeper-servers:\n  - host: zk.example.com\n${body}`, drivers);
  if (!result.config) throw new Error(result.messages.join('\n'));
  return result.config.providers.get(name) as C;
}

export type { KubernetesProviderConfig, OpenshiftPodsProviderConfig };
