import { listenOnLoopback } from '@nodepool/core/testing';
import type { FakeImageSpec } from './catalog.js';
import { FakeGce, type FakeCallCounts, type FakeGceOptions, type FakeGceSettings, type FakeGceSettingsPatch } from './fake-gce.js';
import { checkBootFailure, checkFault, createFakeGceServer, fakeGceCredentials, type FakeGceServerState } from './fake-gce-server.js';
import { CountRules, type FakeRuleState } from '@nodepool/core/testing';
import { FakeGceUsageError, type FakeGceBootFailure, type FakeGceFault } from './fault-rules.js';

/** How to start the fake: its settings and where to listen. */
export interface StartFakeGceOptions extends FakeGceOptions {
  readonly port?: number;
  readonly host?: string;
}

type Json = Record<string, unknown>;

/**
 * A fake Compute Engine running in this process. The methods act on its state directly (no
 * HTTP, not counted as API calls); the `/_fake/` endpoints do the same for other processes
 * (`fakeGceControl`).
 */
export interface FakeGceHandle {
  /** `http://127.0.0.1:PORT`: the `endpoint-url` of a provider using the fake. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Credentials for `GOOGLE_APPLICATION_CREDENTIALS` (`GET /_fake/credentials.json`). */
  credentials(): Json;
  /** API calls per operation since the start or the last reset (`GET /_fake/calls`). */
  calls(): FakeCallCounts;
  /** Zeroes the counters and returns what they were (`DELETE /_fake/calls`). */
  resetCalls(): FakeCallCounts;
  /** What `calls()` counted, in order (`GET /_fake/calls/log`). */
  callLog(): string[];
  configure(patch: FakeGceSettingsPatch): FakeGceSettings;
  settings(): FakeGceSettings;
  /** Answers calls with an error, by count (`POST /_fake/faults`). */
  injectFault(fault: FakeGceFault): FakeRuleState<FakeGceFault>[];
  /** Makes accepted inserts not come up, by count (`POST /_fake/boot-failures`). */
  failBoots(failure: FakeGceBootFailure): FakeRuleState<FakeGceBootFailure>[];
  clearFaults(): void;
  /** Every instance, operation and image (`GET /_fake/state`). */
  state(): { instances: Json[]; operations: Json[]; images: FakeImageSpec[] };
  /** A RUNNING instance made behind the API's back: a leak, or someone else's (`POST /_fake/instances`). */
  addInstance(request: Parameters<FakeGce['addInstance']>[0]): Json;
  /** An image made behind the API's back (`POST /_fake/images`). */
  addImage(image: FakeImageSpec): Json;
  /** Back to the start: settings, instances, operations, counters, rules, tokens (`POST /_fake/reset`). */
  reset(): void;
  /** Refuses every access token issued so far, so clients must fetch new ones. */
  revokeTokens(): void;
  stop(): Promise<void>;
}

/**
 * Starts a fake Compute Engine API (REST v1) on loopback, all state in memory, speaking the API
 * as `@google-cloud/compute` uses it, with an RFC 8693 token endpoint for google-auth-library.
 * For tests, trials and benchmarks; not Google Cloud.
 */
export async function startFakeGce(options: StartFakeGceOptions = {}): Promise<FakeGceHandle> {
  const { port, host, ...fakeOptions } = options;
  let fake: FakeGce;
  try {
    fake = new FakeGce(fakeOptions);
  } catch (error) {
    throw error instanceof FakeGceUsageError ? new TypeError(`invalid fake GCE options: ${error.message}`) : error;
  }
  const state: FakeGceServerState = { fake, faults: new CountRules<FakeGceFault>(FakeGceUsageError), calls: {}, callLog: [], tokensValidFrom: 0, url: '' };

  const handle: FakeGceHandle = {
    url: '',
    host: '',
    port: 0,
    credentials: () => fakeGceCredentials(state.url),
    calls: () => ({ ...state.calls }),
    resetCalls: () => {
      const before = state.calls;
      state.calls = {};
      state.callLog = [];
      return before;
    },
    callLog: () => [...state.callLog],
    configure: (patch) => ({ ...state.fake.configure(patch) }),
    settings: () => ({ ...state.fake.settings }),
    injectFault: (fault) => {
      state.faults.add(checkFault(fault));
      return state.faults.list();
    },
    failBoots: (failure) => {
      state.fake.bootFailures.add(checkBootFailure(failure));
      return state.fake.bootFailures.list();
    },
    clearFaults: () => {
      state.faults.clear();
      state.fake.bootFailures.clear();
    },
    state: () => state.fake.state(),
    addInstance: (request) => state.fake.addInstance(request),
    addImage: (image) => state.fake.addImage(image),
    reset: () => {
      state.fake.stop();
      state.fake = new FakeGce(fakeOptions);
      state.faults.clear();
      state.calls = {};
      state.callLog = [];
      state.tokensValidFrom = Date.now();
    },
    revokeTokens: () => {
      state.tokensValidFrom = Date.now() + 1;
    },
    stop: async () => {
      state.fake.stop();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };

  const server = createFakeGceServer(state, (method, path, body) => control(handle, method, path, body));
  const address = await listenOnLoopback(server, { host, port });
  state.url = address.url;
  Object.assign(handle, address);
  return handle;
}

/** The control API: the handle's methods over HTTP. */
function control(handle: FakeGceHandle, method: string, path: string, body: unknown): unknown {
  const route = `${method} ${path}`;
  switch (route) {
    case 'GET calls':
      return handle.calls();
    case 'DELETE calls':
      return handle.resetCalls();
    case 'GET calls/log':
      return handle.callLog();
    case 'GET settings':
      return handle.settings();
    case 'POST settings':
      return handle.configure(body as FakeGceSettingsPatch);
    case 'POST faults':
      return handle.injectFault(body as FakeGceFault);
    case 'POST boot-failures':
      return handle.failBoots(body as FakeGceBootFailure);
    case 'DELETE faults':
      handle.clearFaults();
      return undefined;
    case 'GET state':
      return handle.state();
    case 'POST instances':
      return handle.addInstance(body as Parameters<FakeGceHandle['addInstance']>[0]);
    case 'POST images':
      return handle.addImage(body as FakeImageSpec);
    case 'POST reset':
      handle.reset();
      return undefined;
    case 'GET credentials.json':
      return handle.credentials();
    default:
      throw new FakeGceUsageError(`no control endpoint ${route}`);
  }
}
