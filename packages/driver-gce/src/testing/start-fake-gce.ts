import { callControl, closeServer, countedFakeControlCalls, countedFakeMethods, CountRules, listenOnLoopback, type CountedFakeMethods } from '@nodepool/core/testing';
import type { FakeImageSpec } from './catalog.js';
import { FakeGce, type FakeGceOptions, type FakeGceSettings, type FakeGceSettingsPatch } from './fake-gce.js';
import { checkBootFailure, checkFault, createFakeGceServer, fakeGceCredentials, type FakeGceServerState } from './fake-gce-server.js';
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
export interface FakeGceHandle extends CountedFakeMethods<FakeGceSettings, FakeGceSettingsPatch, FakeGceFault, FakeGceBootFailure> {
  /** `http://127.0.0.1:PORT`: the `endpoint-url` of a provider using the fake. */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** Credentials for `GOOGLE_APPLICATION_CREDENTIALS` (`GET /_fake/credentials.json`). */
  credentials(): Json;
  /** Every instance, operation and image (`GET /_fake/state`). */
  state(): { instances: Json[]; operations: Json[]; images: FakeImageSpec[] };
  /** A RUNNING instance made behind the API's back: a leak, or someone else's (`POST /_fake/instances`). */
  addInstance(request: Parameters<FakeGce['addInstance']>[0]): Json;
  /** An image made behind the API's back (`POST /_fake/images`). */
  addImage(image: FakeImageSpec): Json;
  stop(): Promise<void>;
}

/**
 * Starts a fake Compute Engine API (REST v1) on loopback, all state in memory, speaking the API
 * as `@google-cloud/compute` uses it, with an RFC 8693 token endpoint for google-auth-library.
 * For tests, trials and benchmarks; not Google Cloud.
 */
export async function startFakeGce(options: StartFakeGceOptions = {}): Promise<FakeGceHandle> {
  const { port, host, ...fakeOptions } = options;
  const make = (): FakeGce => {
    try {
      return new FakeGce(fakeOptions);
    } catch (error) {
      throw error instanceof FakeGceUsageError ? new TypeError(`invalid fake GCE options: ${error.message}`) : error;
    }
  };
  const state: FakeGceServerState = { fake: make(), faults: new CountRules<FakeGceFault>(FakeGceUsageError), calls: {}, callLog: [], tokensValidFrom: 0, url: '' };

  const handle: FakeGceHandle = {
    url: '',
    host: '',
    port: 0,
    ...countedFakeMethods(state, { make, checkFault, checkBootFailure }),
    credentials: () => fakeGceCredentials(state.url),
    state: () => state.fake.state(),
    addInstance: (request) => state.fake.addInstance(request),
    addImage: (image) => state.fake.addImage(image),
    stop: async () => {
      state.fake.stop();
      await closeServer(server);
    },
  };

  const calls = {
    ...countedFakeControlCalls(handle),
    'POST instances': (body: unknown) => handle.addInstance(body as Parameters<FakeGceHandle['addInstance']>[0]),
    'POST images': (body: unknown) => handle.addImage(body as FakeImageSpec),
    'GET credentials.json': () => handle.credentials(),
  };
  const server = createFakeGceServer(state, (method, path, body) => callControl(calls, method, path, body, FakeGceUsageError));
  const address = await listenOnLoopback(server, { host, port });
  state.url = address.url;
  Object.assign(handle, address);
  return handle;
}
