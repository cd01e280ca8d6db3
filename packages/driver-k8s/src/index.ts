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
import type { K8sDriverOptions } from './driver-options.js';
import { KubernetesProvider } from './kubernetes-provider.js';
import { OpenshiftProvider } from './openshift-provider.js';
import { OpenshiftPodsProvider } from './openshiftpods-provider.js';

export type * from './config/index.js';
export type { K8sDriverOptions } from './driver-options.js';
export type { NamespaceConnection, PodConnection, ProjectConnection } from './connection-details.js';
export { KubernetesProvider } from './kubernetes-provider.js';
export { OpenshiftProvider } from './openshift-provider.js';
export { OpenshiftPodsProvider } from './openshiftpods-provider.js';

/**
 * The three drivers, with runtime knobs nodepool.yaml does not have (tests shorten the waits);
 * the package's default export is `createK8sDrivers()`.
 */
export function createK8sDrivers(options: K8sDriverOptions = {}) {
  /** The `kubernetes` driver: namespaces, or namespaces with one pod, as nodes. */
  const kubernetesDriver = {
    name: 'kubernetes',
    providerSchema: kubernetesProviderSchema,
    parseConfig: parseKubernetesConfig,
    createProvider: (config, context) => new KubernetesProvider(config, context, options),
  } satisfies Driver<KubernetesProviderConfig>;

  /** The `openshift` driver: projects, or projects with one pod, as nodes. */
  const openshiftDriver = {
    name: 'openshift',
    providerSchema: openshiftProviderSchema,
    parseConfig: parseOpenshiftConfig,
    createProvider: (config, context) => new OpenshiftProvider(config, context, options),
  } satisfies Driver<OpenshiftProviderConfig>;

  /** The `openshiftpods` driver: pods in existing projects, for an unprivileged account. */
  const openshiftPodsDriver = {
    name: 'openshiftpods',
    providerSchema: openshiftPodsProviderSchema,
    parseConfig: parseOpenshiftPodsConfig,
    createProvider: (config, context) => new OpenshiftPodsProvider(config, context, options),
  } satisfies Driver<OpenshiftPodsProviderConfig>;

  return [kubernetesDriver, openshiftDriver, openshiftPodsDriver] as const;
}

const [kubernetesDriver, openshiftDriver, openshiftPodsDriver] = createK8sDrivers();
export { kubernetesDriver, openshiftDriver, openshiftPodsDriver };

/** The package serves three driver names; discovery picks the one a provider asks for. */
export default [kubernetesDriver, openshiftDriver, openshiftPodsDriver];
