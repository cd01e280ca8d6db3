import { listenOnLoopback } from '@nodepool/core/testing';
import { fakeCloudsYaml, type FakeCloudAuth } from './clouds-yaml.js';
import type { FakeBootFailure, FakeFault, FakeRuleState } from './fault-rules.js';
import { FakeOpenStack, type FakeOpenStackOptions } from './fake-openstack.js';
import { createFakeOpenStackServer } from './fake-openstack-server.js';
import { FakeOpenStackUsageError, type FakeOpenStackSettings, type FakeOpenStackSettingsPatch } from './fake-openstack-settings.js';
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
 * A fake OpenStack running in this process. The methods act on its state directly (no HTTP, not
 * counted as API calls); the `/_fake` endpoints do the same for other processes
 * (`fakeOpenStackControl`).
 */
export interface FakeOpenStackHandle {
  /** Base URL, e.g. `http://127.0.0.1:41234`; Keystone is at `<url>/identity`. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The Keystone v3 URL clouds.yaml's `auth_url` names. */
  readonly authUrl: string;
  /** A `clouds.yaml` naming this fake as cloud `name` (password auth unless asked otherwise). */
  cloudsYaml(name?: string, options?: { auth?: FakeCloudAuth; region?: string; interface?: string }): string;
  /** API calls per operation since the start or the last reset (`GET /_fake/calls`). */
  calls(): FakeCallCounts;
  /** Zeroes the counters and returns what they were (`DELETE /_fake/calls`). */
  resetCalls(): FakeCallCounts;
  /** What `calls()` counted, in order (`GET /_fake/calls/log`). */
  callLog(): string[];
  /** API calls per endpoint, `<region>/<interface>` (`GET /_fake/calls/endpoints`). */
  endpointCalls(): Record<string, number>;
  configure(patch: FakeOpenStackSettingsPatch): FakeOpenStackSettings;
  settings(): FakeOpenStackSettings;
  /** Answers calls with an error, by count (`POST /_fake/faults`); returns the pending rules. */
  injectFault(fault: FakeFault): FakeRuleState<FakeFault>[];
  /** Makes servers created from now on go to ERROR, by count (`POST /_fake/boot-failures`). */
  failBoots(failure?: FakeBootFailure): FakeRuleState<FakeBootFailure>[];
  faultRules(): { faults: FakeRuleState<FakeFault>[]; bootFailures: FakeRuleState<FakeBootFailure>[] };
  clearFaults(): void;
  /** Everything the fake holds (`GET /_fake/state`). */
  state(): FakeOpenStackState;
  /** A server made behind the API's back: a leak, or someone else's (`POST /_fake/servers`). */
  addServer(request?: AddServerRequest): FakeServer;
  addFloatingIp(request?: AddFloatingIpRequest): FakeFloatingIp;
  addPort(request?: AddPortRequest): FakePort;
  addVolume(request?: AddVolumeRequest): FakeVolume;
  addImage(request: AddImageRequest): FakeImage;
  addKeypair(request: AddKeypairRequest): FakeKeypair;
  /** Revokes every token issued so far: clients must authenticate again (`DELETE /_fake/tokens`). */
  revokeTokens(): number;
  /** Back to the starting state: settings, seed resources, zero counters, no faults or tokens (`POST /_fake/reset`). */
  reset(): void;
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
    stop: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
