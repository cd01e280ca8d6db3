import type { Driver } from '@nodepool/core';
import {
  kubernetesProviderSchema,
  openshiftPodsProviderSchema,
  openshiftProviderSchema,
  parseKubernetesConfig,
  parseOpenshiftConfig,
  parseOpenshiftPodsConfig,
  type KubernetesProviderConfig,
  type OpenshiftPodsProviderConfig,
  type OpenshiftProviderConfig,
} from './config/index.js';

export type * from './config/index.js';

/** The `kubernetes` driver: namespaces, or namespaces with one pod, as nodes. */
export const kubernetesDriver = {
  name: 'kubernetes',
  providerSchema: kubernetesProviderSchema,
  parseConfig: parseKubernetesConfig,
} satisfies Driver<KubernetesProviderConfig>;

/** The `openshift` driver: projects, or projects with one pod, as nodes. */
export const openshiftDriver = {
  name: 'openshift',
  providerSchema: openshiftProviderSchema,
  parseConfig: parseOpenshiftConfig,
} satisfies Driver<OpenshiftProviderConfig>;

/** The `openshiftpods` driver: pods in existing projects, for an unprivileged account. */
export const openshiftPodsDriver = {
  name: 'openshiftpods',
  providerSchema: openshiftPodsProviderSchema,
  parseConfig: parseOpenshiftPodsConfig,
} satisfies Driver<OpenshiftPodsProviderConfig>;

/** The package serves three driver names; discovery picks the one a provider asks for. */
export default [kubernetesDriver, openshiftDriver, openshiftPodsDriver];
