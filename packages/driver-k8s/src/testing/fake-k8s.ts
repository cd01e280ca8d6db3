import { randomUUID } from 'node:crypto';
import type { ClusterContext } from './cluster-context.js';
import { applySettings, DEFAULT_SETTINGS, FakeK8sUsageError, type FakeK8sSettings, type FakeK8sSettingsPatch } from './fake-k8s-settings.js';
import type { AddNamespaceRequest, AddPodRequest, FakeCallCounts, FakeK8sState } from './fake-k8s-types.js';
import { CountRules } from '@nodepool/core/testing';
import { checkFault, checkPodFailure, type FakeFault, type FakePodFailure, type FakeRuleState } from './fault-rules.js';
import { timestamp } from './kube-validation.js';
import { namespaceBehaviour, namespaceObject } from './namespace-behaviour.js';
import { ObjectStore, type KubeObject } from './object-store.js';
import { runningPodObject } from './pod-behaviour.js';
import type { KubeUser } from './rbac-authorizer.js';
import { ServiceAccountTokens } from './service-account-tokens.js';

/** How to start a fake Kubernetes: settings, plus what cannot change while it runs. */
export interface FakeK8sOptions extends FakeK8sSettingsPatch {
  /** The administrator's bearer token (what the generated kubeconfig carries). Default `fake-admin-token`. */
  readonly adminToken?: string;
}

/** A stand-in CA for token secrets when the fake serves plain HTTP and openssl could not make one. */
export const PLACEHOLDER_CA = '-----BEGIN CERTIFICATE-----\nbm9kZXBvb2wtZmFrZS1rOHMtY2E=\n-----END CERTIFICATE-----\n';

/**
 * The state and behaviour of a fake Kubernetes (and OpenShift) API server: objects, controllers
 * (service accounts, tokens, scheduling, namespace deletion), settings, call counters and the
 * fault rules. The HTTP side is `createFakeK8sServer`.
 */
export class FakeKubernetes implements ClusterContext {
  readonly store = new ObjectStore();
  readonly tokens = new ServiceAccountTokens();
  readonly adminToken: string;
  private current: FakeK8sSettings;
  private readonly initial: FakeK8sSettings;
  private counts = new Map<string, number>();
  private log: string[] = [];
  private readonly faults = new CountRules<FakeFault>(FakeK8sUsageError);
  private readonly podFailures = new CountRules<FakePodFailure>(FakeK8sUsageError);
  private readonly timers = new Set<NodeJS.Timeout | NodeJS.Immediate>();
  private podCounter = 0;
  private stopped = false;
  private ca = PLACEHOLDER_CA;

  constructor(options: FakeK8sOptions = {}) {
    const { adminToken, ...patch } = options;
    this.adminToken = adminToken ?? 'fake-admin-token';
    const withDefaults = { ...patch, legacyServiceAccountTokens: patch.legacyServiceAccountTokens ?? patch.openshift ?? DEFAULT_SETTINGS.legacyServiceAccountTokens };
    this.current = applySettings(DEFAULT_SETTINGS, withDefaults);
    this.initial = this.current;
    this.seed();
  }

  // ---- ClusterContext ------------------------------------------------------------------------

  settings(): FakeK8sSettings {
    return this.current;
  }

  later(ms: number, work: () => void): void {
    if (this.stopped) return;
    const run = () => {
      this.timers.delete(timer);
      if (!this.stopped) work();
    };
    const timer = ms > 0 ? setTimeout(run, ms) : setImmediate(run);
    this.timers.add(timer);
  }

  caCert(): string {
    return this.ca;
  }

  /** The CA token secrets carry (the TLS server's, when there is one). */
  setCaCert(pem: string): void {
    this.ca = pem;
  }

  takePodFailure(pod: { readonly image: string; readonly name: string; readonly namespace: string }): FakePodFailure | undefined {
    return this.podFailures.take(
      (rule) => (rule.image === undefined || rule.image === pod.image) && (rule.name === undefined || rule.name === pod.name) && (rule.namespace === undefined || rule.namespace === pod.namespace),
    );
  }

  nextPodIndex(): number {
    return this.podCounter++;
  }

  // ---- requests ----------------------------------------------------------------------------

  /** Who a bearer token belongs to: the administrator, a service account, or nobody. */
  authenticate(token: string | undefined): KubeUser | undefined {
    if (token === undefined) return undefined;
    if (token === this.adminToken) return { kind: 'admin', name: 'kube:admin' };
    const owner = this.tokens.owner(this.store, token);
    return owner ? { kind: 'serviceaccount', namespace: owner.namespace, name: owner.serviceAccount } : undefined;
  }

  count(operation: string): void {
    this.counts.set(operation, (this.counts.get(operation) ?? 0) + 1);
    this.log.push(operation);
    if (this.log.length > 100_000) this.log.splice(0, this.log.length - 100_000);
  }

  /** The fault this call of `operation` gets, if any (counts the call against every matching rule). */
  takeFault(operation: string): FakeFault | undefined {
    return this.faults.take((rule) => rule.operation === '*' || rule.operation === operation);
  }

  // ---- control -----------------------------------------------------------------------------

  calls(): FakeCallCounts {
    return Object.fromEntries([...this.counts].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCalls(): FakeCallCounts {
    const before = this.calls();
    this.counts = new Map();
    this.log = [];
    return before;
  }

  callLog(): string[] {
    return [...this.log];
  }

  configure(patch: unknown): FakeK8sSettings {
    this.current = applySettings(this.current, patch);
    return this.current;
  }

  injectFault(fault: unknown): FakeRuleState<FakeFault>[] {
    this.faults.add(checkFault(fault));
    return this.faults.list();
  }

  failPods(failure: unknown): FakeRuleState<FakePodFailure>[] {
    this.podFailures.add(checkPodFailure(failure));
    return this.podFailures.list();
  }

  faultRules(): { faults: FakeRuleState<FakeFault>[]; podFailures: FakeRuleState<FakePodFailure>[] } {
    return { faults: this.faults.list(), podFailures: this.podFailures.list() };
  }

  clearFaults(): void {
    this.faults.clear();
    this.podFailures.clear();
  }

  state(): FakeK8sState {
    return {
      revision: this.store.revision,
      namespaces: this.store.list('namespaces'),
      pods: this.store.list('pods'),
      serviceAccounts: this.store.list('serviceaccounts'),
      secrets: this.store.list('secrets'),
      roles: this.store.list('roles.rbac.authorization.k8s.io'),
      roleBindings: this.store.list('rolebindings.rbac.authorization.k8s.io'),
    };
  }

  addNamespace(request: AddNamespaceRequest): KubeObject {
    if (typeof request?.name !== 'string' || request.name === '') throw new FakeK8sUsageError('a namespace needs a name');
    if (this.store.get('namespaces', '', request.name)) throw new FakeK8sUsageError(`namespace ${request.name} exists`);
    const namespace = namespaceBehaviour.admit!(this, namespaceObject(request.name, request.labels ?? {}, request.annotations));
    namespace.metadata.uid = randomUUID();
    namespace.metadata.creationTimestamp = timestamp();
    const stored = this.store.create('namespaces', namespace);
    namespaceBehaviour.created!(this, stored);
    return stored;
  }

  addPod(request: AddPodRequest): KubeObject {
    if (typeof request?.namespace !== 'string' || typeof request.name !== 'string') throw new FakeK8sUsageError('a pod needs a namespace and a name');
    if (!this.store.get('namespaces', '', request.namespace)) throw new FakeK8sUsageError(`namespace ${request.namespace} does not exist`);
    if (this.store.get('pods', request.namespace, request.name)) throw new FakeK8sUsageError(`pod ${request.namespace}/${request.name} exists`);
    const pod = runningPodObject(request.namespace, request.name, request.image ?? 'docker.io/library/busybox:1.36', request.labels ?? {}, this.current.nodeName, this.nextPodIndex());
    pod.metadata.uid = randomUUID();
    pod.metadata.creationTimestamp = timestamp();
    return this.store.create('pods', pod);
  }

  /** Back to the start: settings, objects, counters, rules, tokens. */
  reset(): void {
    this.clearTimers();
    this.current = this.initial;
    this.store.clear();
    this.tokens.clear();
    this.clearFaults();
    this.resetCalls();
    this.podCounter = 0;
    this.seed();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimers();
  }

  private clearTimers(): void {
    for (const timer of this.timers) {
      clearTimeout(timer as NodeJS.Timeout);
      clearImmediate(timer as NodeJS.Immediate);
    }
    this.timers.clear();
  }

  /** The namespaces every cluster starts with. */
  private seed(): void {
    for (const name of ['default', 'kube-system', 'kube-public']) this.addNamespace({ name });
  }
}
