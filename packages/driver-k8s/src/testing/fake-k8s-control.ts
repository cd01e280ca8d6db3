import { controlApiCaller } from '@nodepool/core/testing';
import type { FakeK8sSettings, FakeK8sSettingsPatch } from './fake-k8s-settings.js';
import type { AddNamespaceRequest, AddPodRequest, FakeCallCounts, FakeK8sState } from './fake-k8s-types.js';
import type { FakeFault, FakePodFailure, FakeRuleState } from './fault-rules.js';
import type { KubeObject } from './object-store.js';

/**
 * The control plane (`/_fake/…`) of a fake Kubernetes running elsewhere, e.g. the
 * `nodepool-fake-k8s` command: what `FakeK8sHandle` offers in process, over HTTP(S). None of it
 * counts as an API call. For an HTTPS fake, trust its CA (`NODE_EXTRA_CA_CERTS`) or use plain HTTP.
 */
export interface FakeK8sControl {
  readonly url: string;
  calls(): Promise<FakeCallCounts>;
  resetCalls(): Promise<FakeCallCounts>;
  callLog(): Promise<string[]>;
  configure(patch: FakeK8sSettingsPatch): Promise<FakeK8sSettings>;
  settings(): Promise<FakeK8sSettings>;
  injectFault(fault: FakeFault): Promise<FakeRuleState<FakeFault>[]>;
  failPods(failure: FakePodFailure): Promise<FakeRuleState<FakePodFailure>[]>;
  faultRules(): Promise<{ faults: FakeRuleState<FakeFault>[]; podFailures: FakeRuleState<FakePodFailure>[] }>;
  clearFaults(): Promise<void>;
  state(): Promise<FakeK8sState>;
  kubeconfig(): Promise<string>;
  addNamespace(request: AddNamespaceRequest): Promise<KubeObject>;
  addPod(request: AddPodRequest): Promise<KubeObject>;
  reset(): Promise<void>;
}

/** Controls the fake Kubernetes at `url` (as printed by `nodepool-fake-k8s`). */
export function fakeK8sControl(url: string): FakeK8sControl {
  const base = url.replace(/\/+$/, '');
  const call = controlApiCaller(base, '_fake', 'fake Kubernetes');
  return {
    url: base,
    calls: () => call('GET', 'calls'),
    resetCalls: () => call('DELETE', 'calls'),
    callLog: () => call('GET', 'calls/log'),
    configure: (patch) => call('POST', 'settings', patch),
    settings: () => call('GET', 'settings'),
    injectFault: (fault) => call('POST', 'faults', fault),
    failPods: (failure) => call('POST', 'pod-failures', failure),
    faultRules: () => call('GET', 'faults'),
    clearFaults: () => call('DELETE', 'faults'),
    state: () => call('GET', 'state'),
    kubeconfig: async () => {
      const response = await fetch(`${base}/_fake/kubeconfig`);
      if (!response.ok) throw new Error(`fake Kubernetes GET /_fake/kubeconfig failed with HTTP ${response.status}`);
      return response.text();
    },
    addNamespace: (request) => call('POST', 'namespaces', request),
    addPod: (request) => call('POST', 'pods', request),
    reset: () => call('POST', 'reset'),
  };
}
