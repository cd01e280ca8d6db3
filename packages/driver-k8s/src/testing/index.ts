/**
 * A fake Kubernetes API server for the k8s drivers' tests, trials and benchmarks
 * (`@nodepool/driver-k8s/testing`): one HTTP(S) server speaking core/v1 (namespaces, pods,
 * service accounts, secrets), rbac/v1 and, when asked, OpenShift's project and authorization
 * APIs, as kubectl and the client libraries use them; state in memory, controllers for tokens,
 * pods and namespace deletion, and faults injected by count (so tests do not depend on the
 * machine's speed). Write `fake.kubeconfig()` to a file and point kubectl or Nodepool at it.
 */
export { startFakeK8s, type FakeK8sHandle, type StartFakeK8sOptions } from './start-fake-k8s.js';
export { fakeK8sControl, type FakeK8sControl } from './fake-k8s-control.js';
export { fakeKubeconfig, type FakeKubeconfigOptions } from './kubeconfig.js';
export type { FakeK8sOptions } from './fake-k8s.js';
export { DEFAULT_SETTINGS, type FakeK8sSettings, type FakeK8sSettingsPatch } from './fake-k8s-settings.js';
export type { FakeCountRule, FakeFault, FakePodFailure, FakeRuleState } from './fault-rules.js';
export type { AddNamespaceRequest, AddPodRequest, FakeCallCounts, FakeK8sState } from './fake-k8s-types.js';
export type { KubeObject, ObjectMeta } from './object-store.js';
