import { closeServer, listenOnLoopback } from '@nodepool/core/testing';
import { fakeCloudsYaml, type FakeCloudAuth } from './clouds-yaml.js';
import { FakeOpenStack, type FakeOpenStackOptions } from './fake-openstack.js';
import { createFakeOpenStackServer } from './fake-openstack-server.js';
import { FakeOpenStackUsageError } from './fake-openstack-settings.js';
import type { FakeOpenStackOperations } from './fake-openstack-types.js';

/**
 * A fake OpenStack running in this process. The methods act on its state directly (no HTTP, not
 * counted as API calls); the `/_fake` endpoints do the same for other processes
 * (`fakeOpenStackControl`).
 */
export interface FakeOpenStackHandle extends FakeOpenStackOperations {
  /** Base URL, e.g. `http://127.0.0.1:41234`; Keystone is at `<url>/identity`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The Keystone v3 URL clouds.yaml's `auth_url` names. */
  readonly authUrl: string;
  /** A `clouds.yaml` naming this fake as cloud `name` (password auth unless asked otherwise). */
  cloudsYaml(name?: string, options?: { auth?: FakeCloudAuth; region?: string; interface?: string }): string;
  /** Closes the server and every connection to it. */
  stop(): Promise<void>;
}

/**
 * Starts a fake OpenStack: one HTTP server on loopback (by default) speaking Keystone v3, Nova,
 * Neutron, Glance v2 and Cinder v3 as openstacksdk and the openstack driver use them, with all
 * state in memory. For tests, trials and benchmarks; not OpenStack.
 *
 * ```ts
 * const fake = await startFakeOpenStack({ bootDelayMs: 50 });
 * await writeFile('clouds.yaml', fake.cloudsYaml('fake'));
 * await fake.stop();
 * ```
 */
export async function startFakeOpenStack(options: FakeOpenStackOptions = {}): Promise<FakeOpenStackHandle> {
  let fake: FakeOpenStack;
  try {
    fake = new FakeOpenStack(options);
  } catch (error) {
    throw error instanceof FakeOpenStackUsageError ? new TypeError(`invalid fake OpenStack options: ${error.message}`) : error;
  }
  let url = '';
  const server = createFakeOpenStackServer(fake, () => url);
  const address = await listenOnLoopback(server, options);
  url = address.url;
  return {
    ...address,
    authUrl: `${url}/identity`,
    cloudsYaml: (name = 'fake', cloudOptions = {}) => fakeCloudsYaml(name, url, cloudOptions),
    calls: () => fake.calls(),
    resetCalls: () => fake.resetCalls(),
    callLog: () => fake.callLog(),
    endpointCalls: () => fake.endpointCalls(),
    configure: (patch) => fake.configure(patch),
    settings: () => fake.settings(),
    injectFault: (fault) => fake.injectFault(fault),
    failBoots: (failure = {}) => fake.failBoots(failure),
    faultRules: () => fake.faultRules(),
    clearFaults: () => fake.clearFaults(),
    state: () => fake.state(),
    addServer: (request) => fake.addServer(request),
    addFloatingIp: (request) => fake.addFloatingIp(request),
    addPort: (request) => fake.addPort(request),
    addVolume: (request) => fake.addVolume(request),
    addImage: (request) => fake.addImage(request),
    addKeypair: (request) => fake.addKeypair(request),
    revokeTokens: () => fake.tokens.revokeAll(),
    reset: () => fake.reset(),
    stop: () => closeServer(server),
  };
}
