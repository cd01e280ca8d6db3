import type { ConfigLabel, ConfigPool, ProviderConfig } from './provider-config.js';

/** A label of a state-machine driver: what the kit needs to launch it. */
export interface StateMachineLabel extends ConfigLabel {
  /** Scan the SSH host keys before the node is ready (default true; no scan for winrm). */
  readonly hostKeyChecking?: boolean;
  /** `ssh` (default), `winrm`, `network_cli`, … written to the node. */
  readonly connectionType?: string;
  /** Port written to the node and scanned; default 22 (5986 for winrm). */
  readonly connectionPort?: number;
  readonly username?: string | null;
  readonly pythonPath?: string | null;
  readonly shellType?: string | null;
}

export interface StateMachinePool<L extends StateMachineLabel = StateMachineLabel> extends ConfigPool<L> {
  /** Scan host keys (default true); a label's own setting wins. */
  readonly hostKeyChecking?: boolean;
  /** Prefer the private address as the node's interface address. */
  readonly useInternalIp?: boolean;
  /**
   * Zones to keep this pool's node sets in (openstack's `availability-zones`); when absent or
   * empty, the adapter's `getAZs()`.
   */
  readonly availabilityZones?: readonly string[] | null;
}

/**
 * Provider settings the state-machine kit applies for every such driver (the keys of the
 * original's state-machine drivers). Times in seconds, as in nodepool.yaml.
 */
export interface StateMachineProviderConfig<P extends StateMachinePool = StateMachinePool> extends ProviderConfig<P> {
  /** Mutating cloud API calls per second (`rate`); read-only calls get ten times as many. */
  readonly rate: number;
  /** Seconds for the instance to become reachable once created (`boot-timeout`). */
  readonly bootTimeout: number;
  /** Seconds for the whole launch, retries included (`launch-timeout`). */
  readonly launchTimeout: number;
  /** Attempts per node before it fails (`launch-retries`). */
  readonly launchRetries: number;
  /**
   * Nodepool 9.0.0's meaning of the two timeouts, for drivers whose docs promise it (openstack):
   * the create machine has all of `launch-timeout`, and `boot-timeout` starts once it is done,
   * bounding the SSH host-key scan. Default false: `boot-timeout` also bounds the machine from
   * the moment the cloud names the instance.
   */
  readonly bootTimeoutAfterReady?: boolean;
}
