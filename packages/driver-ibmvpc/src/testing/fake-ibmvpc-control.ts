import { controlApiCaller } from '@nodepool/core/testing';
import type { FakeIbmVpcSettings, FakeIbmVpcSettingsPatch } from './fake-ibmvpc-settings.js';
import type { FakeBootFailure, FakeFault, FakeRuleState } from './fault-rules.js';
import type { AddFloatingIpRequest, AddImageRequest, AddInstanceRequest, FakeCallCounts, FakeFloatingIp, FakeIbmVpcState, FakeImage, FakeInstance } from './fake-types.js';

/** The control API of a fake IBM Cloud in another process (`nodepool-fake-ibmvpc`), over HTTP. */
export interface FakeIbmVpcControl {
  calls(): Promise<FakeCallCounts>;
  resetCalls(): Promise<FakeCallCounts>;
  settings(): Promise<FakeIbmVpcSettings>;
  configure(patch: FakeIbmVpcSettingsPatch): Promise<FakeIbmVpcSettings>;
  injectFault(fault: FakeFault): Promise<FakeRuleState<FakeFault>[]>;
  failBoots(failure?: FakeBootFailure): Promise<FakeRuleState<FakeBootFailure>[]>;
  clearFaults(): Promise<void>;
  state(): Promise<FakeIbmVpcState>;
  addInstance(request?: AddInstanceRequest): Promise<FakeInstance>;
  addFloatingIp(request?: AddFloatingIpRequest): Promise<FakeFloatingIp>;
  addImage(request: AddImageRequest): Promise<FakeImage>;
  credentialsFile(): Promise<string>;
  revokeTokens(): Promise<number>;
  reset(): Promise<void>;
}

/** A client of the control API of the fake at `url` (its platform URL). */
export function fakeIbmVpcControl(url: string): FakeIbmVpcControl {
  const call = controlApiCaller(url, '_fake', 'fake IBM Cloud');
  return {
    calls: () => call('GET', 'calls'),
    resetCalls: () => call('DELETE', 'calls'),
    settings: () => call('GET', 'settings'),
    configure: (patch) => call('POST', 'settings', patch),
    injectFault: (fault) => call('POST', 'faults', fault),
    failBoots: (failure = {}) => call('POST', 'boot-failures', failure),
    clearFaults: async () => {
      await call('DELETE', 'faults');
    },
    state: () => call('GET', 'state'),
    addInstance: (request = {}) => call('POST', 'instances', request),
    addFloatingIp: (request = {}) => call('POST', 'floating-ips', request),
    addImage: (request) => call('POST', 'images', request),
    credentialsFile: async () => (await fetch(`${url.replace(/\/+$/, '')}/_fake/credentials`)).text(),
    revokeTokens: async () => (await call<{ revoked: number }>('DELETE', 'tokens')).revoked,
    reset: async () => {
      await call('POST', 'reset');
    },
  };
}
