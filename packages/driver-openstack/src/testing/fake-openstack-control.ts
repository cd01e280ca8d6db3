import { controlApiCaller } from '@nodepool/core/testing';
import type { FakeBootFailure, FakeFault, FakeRuleState } from './fault-rules.js';
import type { FakeOpenStackSettings, FakeOpenStackSettingsPatch } from './fake-openstack-settings.js';
import type {
  AddFloatingIpRequest,
  AddImageRequest,
  AddKeypairRequest,
  AddPortRequest,
  AddServerRequest,
  AddVolumeRequest,
  FakeCallCounts,
  FakeFloatingIp,
  FakeImage,
  FakeKeypair,
  FakeOpenStackState,
  FakePort,
  FakeServer,
  FakeVolume,
} from './fake-openstack-types.js';

/**
 * The control plane (`/_fake/…`) of a fake OpenStack running elsewhere, e.g. the
 * `nodepool-fake-openstack` command: what `FakeOpenStackHandle` offers in process, over HTTP.
 * None of it counts as an API call.
 */
export interface FakeOpenStackControl {
  readonly url: string;
  calls(): Promise<FakeCallCounts>;
  resetCalls(): Promise<FakeCallCounts>;
  callLog(): Promise<string[]>;
  endpointCalls(): Promise<Record<string, number>>;
  configure(patch: FakeOpenStackSettingsPatch): Promise<FakeOpenStackSettings>;
  settings(): Promise<FakeOpenStackSettings>;
  injectFault(fault: FakeFault): Promise<FakeRuleState<FakeFault>[]>;
  failBoots(failure?: FakeBootFailure): Promise<FakeRuleState<FakeBootFailure>[]>;
  faultRules(): Promise<{ faults: FakeRuleState<FakeFault>[]; bootFailures: FakeRuleState<FakeBootFailure>[] }>;
  clearFaults(): Promise<void>;
  state(): Promise<FakeOpenStackState>;
  addServer(request?: AddServerRequest): Promise<FakeServer>;
  addFloatingIp(request?: AddFloatingIpRequest): Promise<FakeFloatingIp>;
  addPort(request?: AddPortRequest): Promise<FakePort>;
  addVolume(request?: AddVolumeRequest): Promise<FakeVolume>;
  addImage(request: AddImageRequest): Promise<FakeImage>;
  addKeypair(request: AddKeypairRequest): Promise<FakeKeypair>;
  revokeTokens(): Promise<number>;
  reset(): Promise<void>;
}

/** Controls the fake OpenStack at `url` (its base URL, as printed by `nodepool-fake-openstack`). */
export function fakeOpenStackControl(url: string): FakeOpenStackControl {
  const base = url.replace(/\/+$/, '');
  const call = controlApiCaller(base, '_fake', 'fake OpenStack');
  return {
    url: base,
    calls: () => call('GET', 'calls'),
    resetCalls: () => call('DELETE', 'calls'),
    callLog: () => call('GET', 'calls/log'),
    endpointCalls: () => call('GET', 'calls/endpoints'),
    configure: (patch) => call('POST', 'settings', patch),
    settings: () => call('GET', 'settings'),
    injectFault: (fault) => call('POST', 'faults', fault),
    failBoots: (failure = {}) => call('POST', 'boot-failures', failure),
    faultRules: () => call('GET', 'faults'),
    clearFaults: () => call('DELETE', 'faults'),
    state: () => call('GET', 'state'),
    addServer: (request = {}) => call('POST', 'servers', request),
    addFloatingIp: (request = {}) => call('POST', 'floating-ips', request),
    addPort: (request = {}) => call('POST', 'ports', request),
    addVolume: (request = {}) => call('POST', 'volumes', request),
    addImage: (request) => call('POST', 'images', request),
    addKeypair: (request) => call('POST', 'keypairs', request),
    revokeTokens: async () => (await call<{ revoked: number }>('DELETE', 'tokens')).revoked,
    reset: () => call('POST', 'reset'),
  };
}
