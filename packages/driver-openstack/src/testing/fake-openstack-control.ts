import { controlApiCaller, type RemoteControl } from '@nodepool/core/testing';
import type { FakeOpenStackOperations } from './fake-openstack-types.js';

/**
 * The control plane (`/_fake/…`) of a fake OpenStack running elsewhere, e.g. the
 * `nodepool-fake-openstack` command: what `FakeOpenStackHandle` offers in process, over HTTP.
 * None of it counts as an API call.
 */
export interface FakeOpenStackControl extends RemoteControl<FakeOpenStackOperations> {
  readonly url: string;
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
