import { listenOnLoopback } from '@nodepool/core/testing';
import type { Server } from 'node:http';
import { FakeKubernetes, type FakeK8sOptions } from './fake-k8s.js';
import { createFakeK8sServer } from './fake-k8s-server.js';
import { FakeK8sUsageError, type FakeK8sSettings, type FakeK8sSettingsPatch } from './fake-k8s-settings.js';
import type { AddNamespaceRequest, AddPodRequest, FakeCallCounts, FakeK8sState } from './fake-k8s-types.js';
import type { FakeFault, FakePodFailure, FakeRuleState } from './fault-rules.js';
import { fakeKubeconfig, type FakeKubeconfigOptions } from './kubeconfig.js';
import type { KubeObject } from './object-store.js';
import { fakeK8sTls } from './tls-material.js';

/** How to start the fake: its settings, where to listen, and whether to speak HTTPS. */
export interface StartFakeK8sOptions extends FakeK8sOptions {
  readonly port?: number;
  readonly host?: string;
  /** Serve HTTPS with a CA of its own (made with openssl); default true. */
  readonly tls?: boolean;
}

/**
 * A fake Kubernetes API server running in this process. The methods act on its state directly
 * (no HTTP, not counted as API calls); the `/_fake` endpoints do the same for other processes
 * (`fakeK8sControl`).
 */
export interface FakeK8sHandle {
  /** `https://127.0.0.1:PORT` (or `http://…` without TLS). */
  readonly url: string;
  readonly host: string;
  readonly port: number;
  /** The cluster CA (PEM): the server's certificate's issuer, and what token secrets carry. */
  readonly caCert: string;
  readonly adminToken: string;
  /** A kubeconfig for the fake (`GET /_fake/kubeconfig`). */
  kubeconfig(options?: FakeKubeconfigOptions): string;
  /** API calls per operation since the start or the last reset (`GET /_fake/calls`). */
  calls(): FakeCallCounts;
  /** Zeroes the counters and returns what they were (`DELETE /_fake/calls`). */
  resetCalls(): FakeCallCounts;
  /** What `calls()` counted, in order (`GET /_fake/calls/log`). */
  callLog(): string[];
  configure(patch: FakeK8sSettingsPatch): FakeK8sSettings;
  settings(): FakeK8sSettings;
  /** Answers calls with an error Status, by count (`POST /_fake/faults`); returns the pending rules. */
  injectFault(fault: FakeFault): FakeRuleState<FakeFault>[];
  /** Makes pods created from now on never run, by count (`POST /_fake/pod-failures`). */
  failPods(failure: FakePodFailure): FakeRuleState<FakePodFailure>[];
  faultRules(): { faults: FakeRuleState<FakeFault>[]; podFailures: FakeRuleState<FakePodFailure>[] };
  clearFaults(): void;
  /** Every object the fake holds (`GET /_fake/state`). */
  state(): FakeK8sState;
  /** A namespace made behind the API's back: a leak, or someone else's (`POST /_fake/namespaces`). */
  addNamespace(request: AddNamespaceRequest): KubeObject;
  /** A running pod made behind the API's back (`POST /_fake/pods`). */
  addPod(request: AddPodRequest): KubeObject;
  /** Back to the start: settings, objects, counters, rules, tokens (`POST /_fake/reset`). */
  reset(): void;
  /** Closes the server, its watches and every connection. */
  stop(): Promise<void>;
}

/**
 * Starts a fake Kubernetes API server: HTTPS (by default) on loopback, all state in memory,
 * speaking the API as kubectl, `@kubernetes/client-node` and `openshift-rest-client` use it. For
 * tests, trials and benchmarks; not Kubernetes.
 *
 * ```ts
 * const fake = await startFakeK8s({ podStartDelayMs: 500 });
 * await writeFile('kubeconfig', fake.kubeconfig());
 * await fake.stop();
 * ```
 */
export async function startFakeK8s(options: StartFakeK8sOptions = {}): Promise<FakeK8sHandle> {
  const { port, host, tls = true, ...fakeOptions } = options;
  let fake: FakeKubernetes;
  try {
    fake = new FakeKubernetes(fakeOptions);
  } catch (error) {
    throw error instanceof FakeK8sUsageError ? new TypeError(`invalid fake Kubernetes options: ${error.message}`) : error;
  }
  const material = tls ? await fakeK8sTls() : await fakeK8sTls().catch(() => undefined);
  if (material) fake.setCaCert(material.caCert);
  let url = '';
  const kubeconfig = (kubeconfigOptions?: FakeKubeconfigOptions) => fakeKubeconfig(url, fake.adminToken, material?.caCert, kubeconfigOptions);
  const { server, closeWatches } = createFakeK8sServer(fake, {
    ...(tls && material ? { tls: { cert: material.serverCert, key: material.serverKey } } : {}),
    url: () => url,
    kubeconfig: () => kubeconfig(),
  });
  const address = await listenOnLoopback(server as Server, { host, port });
  url = tls ? address.url.replace(/^http:/, 'https:') : address.url;
  return {
    url,
    host: address.host,
    port: address.port,
    caCert: fake.caCert(),
    adminToken: fake.adminToken,
    kubeconfig,
    calls: () => fake.calls(),
    resetCalls: () => fake.resetCalls(),
    callLog: () => fake.callLog(),
    configure: (patch) => fake.configure(patch),
    settings: () => fake.settings(),
    injectFault: (fault) => fake.injectFault(fault),
    failPods: (failure) => fake.failPods(failure),
    faultRules: () => fake.faultRules(),
    clearFaults: () => fake.clearFaults(),
    state: () => fake.state(),
    addNamespace: (request) => fake.addNamespace(request),
    addPod: (request) => fake.addPod(request),
    reset: () => fake.reset(),
    stop: () =>
      new Promise<void>((resolve, reject) => {
        fake.stop();
        closeWatches();
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
