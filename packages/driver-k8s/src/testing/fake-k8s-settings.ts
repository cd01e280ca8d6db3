/** A bad setting, fault or request given to the fake (not an API error): a 400 on the control API. */
export class FakeK8sUsageError extends Error {
  override readonly name = 'FakeK8sUsageError';
}

/** How the fake Kubernetes behaves; every field can be changed while it runs. */
export interface FakeK8sSettings {
  /** Time a pod stays `Pending` before it runs (scheduling and image pull together). */
  readonly podStartDelayMs: number;
  /** Time a deleted pod stays listed, `Terminating` (its grace period, shortened). */
  readonly podDeleteDelayMs: number;
  /** Time a deleted namespace (project) stays `Terminating` before it and its contents go. */
  readonly namespaceDeleteDelayMs: number;
  /** Time the token controller takes to fill a service-account token secret. */
  readonly tokenDelayMs: number;
  /** Added to every API call. */
  readonly latencyMs: number;
  /** Serve OpenShift's project and authorization APIs (projects, projectrequests, rolebindings). */
  readonly openshift: boolean;
  /**
   * The token controller also makes a token secret for every new service account and lists it
   * in the account's `secrets` (Kubernetes before 1.24, OpenShift 4 up to 4.15). Default: when
   * playing OpenShift.
   */
  readonly legacyServiceAccountTokens: boolean;
  /** A ResourceQuota of this many pods in every namespace; null: none. */
  readonly podsPerNamespace: number | null;
  /** The node pods are scheduled to. */
  readonly nodeName: string;
}

export type FakeK8sSettingsPatch = Partial<FakeK8sSettings>;

export const DEFAULT_SETTINGS: FakeK8sSettings = {
  podStartDelayMs: 0,
  podDeleteDelayMs: 0,
  namespaceDeleteDelayMs: 0,
  tokenDelayMs: 0,
  latencyMs: 0,
  openshift: false,
  legacyServiceAccountTokens: false,
  podsPerNamespace: null,
  nodeName: 'fake-node-1',
};

const DURATIONS = ['podStartDelayMs', 'podDeleteDelayMs', 'namespaceDeleteDelayMs', 'tokenDelayMs', 'latencyMs'] as const;

/** `patch` applied to `settings`, every field checked. */
export function applySettings(settings: FakeK8sSettings, patch: unknown): FakeK8sSettings {
  if (patch === null || typeof patch !== 'object' || Array.isArray(patch)) throw new FakeK8sUsageError('settings must be an object');
  const next: Record<string, unknown> = { ...settings };
  for (const [name, value] of Object.entries(patch)) {
    if (!(name in DEFAULT_SETTINGS)) throw new FakeK8sUsageError(`unknown setting ${name}`);
    if ((DURATIONS as readonly string[]).includes(name) && (typeof value !== 'number' || !Number.isFinite(value) || value < 0)) {
      throw new FakeK8sUsageError(`${name} must be a number >= 0`);
    }
    if ((name === 'openshift' || name === 'legacyServiceAccountTokens') && typeof value !== 'boolean') throw new FakeK8sUsageError(`${name} must be true or false`);
    if (name === 'podsPerNamespace' && value !== null && (typeof value !== 'number' || !Number.isInteger(value) || value < 0)) {
      throw new FakeK8sUsageError('podsPerNamespace must be an integer >= 0 or null');
    }
    if (name === 'nodeName' && (typeof value !== 'string' || value === '')) throw new FakeK8sUsageError('nodeName must be a non-empty string');
    next[name] = value;
  }
  return next as unknown as FakeK8sSettings;
}
