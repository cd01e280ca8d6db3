/**
 * Runtime knobs of the three drivers that nodepool.yaml does not have (9.0.0 hard-codes them).
 * Tests shorten them; operators have no reason to.
 */
export interface K8sDriverOptions {
  /** How long a pod may take to run: 9.0.0 polls 300 times a second apart. Default 300 s. */
  readonly podStartTimeoutMs?: number;
  /** How long a deleted namespace, project or pod may take to go. Default 300 s (9.0.0's). */
  readonly deleteTimeoutMs?: number;
  /** How long the token controller may take to fill in a token. Default 30 s (9.0.0's). */
  readonly tokenTimeoutMs?: number;
  /** Polling interval where watching is not possible. Default 1 s (9.0.0's). */
  readonly pollMs?: number;
  /** Longest a single API call may take. Default 60 s. */
  readonly apiTimeoutMs?: number;
  /** Where KUBECONFIG, HOME and the in-cluster variables are read from. Default `process.env`. */
  readonly env?: NodeJS.ProcessEnv;
}

export const DEFAULT_DRIVER_OPTIONS: Required<Omit<K8sDriverOptions, 'env'>> = {
  podStartTimeoutMs: 300_000,
  deleteTimeoutMs: 300_000,
  tokenTimeoutMs: 30_000,
  pollMs: 1_000,
  apiTimeoutMs: 60_000,
};
