export { kubernetesProviderSchema, parseKubernetesConfig, type KubernetesLabelConfig, type KubernetesPoolConfig, type KubernetesProviderConfig } from './kubernetes.js';
export { openshiftProviderSchema, parseOpenshiftConfig, type OpenshiftLabelConfig, type OpenshiftPoolConfig, type OpenshiftProviderConfig } from './openshift.js';
export {
  openshiftPodsProviderSchema,
  parseOpenshiftPodsConfig,
  type OpenshiftPodsLabelConfig,
  type OpenshiftPodsPoolConfig,
  type OpenshiftPodsProviderConfig,
} from './openshiftpods.js';
export type { PodEnvVar, PodLabelSettings } from './pod-label.js';
export type { PodPoolConfig, PodPoolDefaults, PodQuotaLimits } from './pod-pool.js';
export type { PodProviderConfig } from './pod-provider.js';
