import type { KubeObject } from './object-store.js';

/** API calls per operation (`create namespaces`, `watch pods`, …; `<op> failed`, `<op> throttled`). */
export type FakeCallCounts = Record<string, number>;

/** Everything the fake holds, as the API would show it. */
export interface FakeK8sState {
  /** The latest resourceVersion. */
  readonly revision: number;
  readonly namespaces: KubeObject[];
  readonly pods: KubeObject[];
  readonly serviceAccounts: KubeObject[];
  readonly secrets: KubeObject[];
  readonly roles: KubeObject[];
  readonly roleBindings: KubeObject[];
}

/** A namespace made behind the API's back (a leak, or someone else's). */
export interface AddNamespaceRequest {
  readonly name: string;
  readonly labels?: Record<string, string>;
  readonly annotations?: Record<string, string>;
}

/** A running pod made behind the API's back; its namespace must exist. */
export interface AddPodRequest {
  readonly namespace: string;
  readonly name: string;
  readonly image?: string;
  readonly labels?: Record<string, string>;
}
