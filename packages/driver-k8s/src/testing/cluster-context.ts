import type { FakePodFailure } from './fault-rules.js';
import type { FakeK8sSettings } from './fake-k8s-settings.js';
import type { KubeObject, ObjectStore } from './object-store.js';
import type { ServiceAccountTokens } from './service-account-tokens.js';

/** What the fake's resource handlers (and its controllers) share. */
export interface ClusterContext {
  readonly store: ObjectStore;
  settings(): FakeK8sSettings;
  /** Runs `work` after `ms` (0: once the current answer is on its way), unless the fake stops first. */
  later(ms: number, work: () => void): void;
  readonly tokens: ServiceAccountTokens;
  /** The cluster CA (PEM) token secrets carry as `ca.crt`. */
  caCert(): string;
  /** The pod failure rule a new pod falls under, if any (counts the pod against every rule it matches). */
  takePodFailure(pod: { readonly image: string; readonly name: string; readonly namespace: string }): FakePodFailure | undefined;
  /** A number per pod created, for its address. */
  nextPodIndex(): number;
}

/** A kind's own behaviour on top of the generic create/get/list/delete. */
export interface KindBehaviour {
  /** Problems with a new object (422 causes), beyond name and metadata. */
  validate?(object: KubeObject): import('./k8s-status.js').StatusCause[];
  /** Admission: defaults, quota, references; may throw a Status error. Returns what is stored. */
  admit?(context: ClusterContext, object: KubeObject): KubeObject;
  /** After the object is stored: controllers start their work (token, scheduling, …). */
  created?(context: ClusterContext, object: KubeObject): void;
  /** Deletion, when the kind does more than remove the object; returns the answer body. */
  remove?(context: ClusterContext, object: KubeObject, options: DeleteOptions): KubeObject | Record<string, unknown>;
}

/** DeleteOptions, from the body or the query. */
export interface DeleteOptions {
  readonly propagationPolicy?: string;
  readonly gracePeriodSeconds?: number;
}
