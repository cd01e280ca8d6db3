import { controlApiCaller, type RemoteControl } from '@nodepool/core/testing';
import type { FakeAwsOperations } from './fake-aws-types.js';

/**
 * The control plane (`/_fake/…`) of a fake AWS running elsewhere, e.g. the `nodepool-fake-aws`
 * command: what `FakeAwsHandle` offers in process, over HTTP. None of it counts as an API call
 * or is throttled.
 */
export interface FakeAwsControl extends RemoteControl<FakeAwsOperations> {
  readonly url: string;
}

/** Controls the fake AWS at `url` (its base URL, as printed by `nodepool-fake-aws`). */
export function fakeAwsControl(url: string): FakeAwsControl {
  const base = url.replace(/\/+$/, '');
  const call = controlApiCaller(base, '_fake', 'fake AWS');
  return {
    url: base,
    calls: () => call('GET', 'calls'),
    resetCalls: () => call('DELETE', 'calls'),
    callLog: () => call('GET', 'calls/log'),
    configure: (patch) => call('POST', 'settings', patch),
    settings: () => call('GET', 'settings'),
    injectFailure: (failure) => call('POST', 'failures', failure),
    failures: () => call('GET', 'failures'),
    clearFailures: () => call('DELETE', 'failures'),
    state: () => call('GET', 'state'),
    addInstance: (request = {}) => call('POST', 'instances', request),
    addVolume: (request = {}) => call('POST', 'volumes', request),
    addImage: (request) => call('POST', 'images', request),
    addSnapshot: (request = {}) => call('POST', 'snapshots', request),
    addHost: (request) => call('POST', 'hosts', request),
    addObject: ({ body, ...rest }) =>
      call('POST', 'objects', body === undefined || typeof body === 'string' ? { ...rest, body } : { ...rest, bodyBase64: Buffer.from(body).toString('base64') }),
    terminateInstances: (instanceIds, reason) => call('POST', 'terminate', { instanceIds, reason }),
    reset: () => call('POST', 'reset'),
  };
}
