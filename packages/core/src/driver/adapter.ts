import type { Logger } from '../log.js';
import type { Stats } from '../stats/stats.js';
import type { ConnectionPort } from '../zk/node.js';
import type { NodeRequest } from '../zk/node-request.js';
import type { Driver } from './driver.js';
import type { ConfigLabel, ProviderConfig } from './provider-config.js';
import type { QuotaInformation } from './quota-information.js';

/**
 * A cloud instance as the state-machine kit sees it, built by the adapter from the cloud's
 * own representation.
 */
export interface Instance {
  /** The cloud's ID for the instance. */
  readonly externalId: string;
  /** Whether it finished booting (the create machine may return it earlier). */
  readonly ready?: boolean;
  /** Whether it is gone or going. */
  readonly deleted?: boolean;
  /** Whether the cloud reports it broken (create machines then fail the attempt). */
  readonly failed?: boolean;
  /** The port to reach it on (SSH or WinRM), when the cloud decides it; else the label's. */
  readonly connectionPort?: ConnectionPort | null;
  /**
   * Connection settings the instance decides rather than its image or label (a metastatic node
   * takes its backing node's); each one given, `null` included, replaces the node's.
   */
  readonly username?: string | null;
  readonly pythonPath?: string | null;
  readonly shellType?: string | null;
  readonly connectionType?: string | null;
  /** SSH host keys known without a scan (a metastatic node's are its backing node's); a key scan replaces them. */
  readonly hostKeys?: readonly string[];
  /** The address Zuul connects to. */
  readonly interfaceIp?: string | null;
  readonly publicIpv4?: string | null;
  readonly publicIpv6?: string | null;
  readonly privateIpv4?: string | null;
  readonly cloud?: string | null;
  readonly region?: string | null;
  readonly az?: string | null;
  readonly hostId?: string | null;
  /** Nodepool's metadata tags on the instance (`nodepool_node_id`, …), for leak detection. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Driver data stored on the node record (`driver_data`). */
  readonly driverData?: unknown;
  /** Slot number, for drivers that share a host between nodes. */
  readonly slot?: number | null;
  /** What the instance uses; default: derived from its label. */
  getQuotaInformation?(): QuotaInformation | undefined;
}

/** A cloud resource other than an instance (volume, image, object), for leak cleanup. */
export interface Resource {
  /** The kind, e.g. `instance`, `volume`, `image`, `object`. */
  readonly type: string;
  /** Nodepool's metadata tags on it; resources without them are never touched. */
  readonly metadata: Readonly<Record<string, string>>;
  /** Anything the adapter needs to delete it. */
  readonly [key: string]: unknown;
}

/** What the builder hands a provider to upload one built image. */
export interface ImageUploadOptions {
  /** The provider's `diskimages` entry for the image. */
  providerImage: { name: string; [key: string]: unknown };
  /** The cloud name to give it, `<image>-<build id>`. */
  imageName: string;
  /** The built file. */
  filename: string;
  /** Its format (qcow2, raw, vhd, …). */
  imageFormat: string;
  /** Nodepool's metadata to put on it (`nodepool_build_id`, `nodepool_upload_id`, …). */
  metadata: Readonly<Record<string, string>>;
  md5?: string;
  sha256?: string;
}

/**
 * A re-entrant step machine: the kit calls `advance()` about once per pass until it returns a
 * result. States are human-readable strings (they appear in logs), walked through in order so
 * that a fast cloud finishes in one call and a slow one is polled. Set `externalId` as soon as
 * the cloud names the instance, before any slow step, so a failure can be cleaned up.
 */
export interface StateMachine<Result = Instance> {
  /** The current state, e.g. `'start'`, `'creating instance'`, `'complete'`. */
  readonly state: string;
  /** The cloud ID, once known. */
  readonly externalId: string | undefined;
  /** Whether the machine finished. */
  readonly complete: boolean;
  /**
   * Takes the next step(s). Resolves with the result once done (the instance for a create
   * machine), `undefined` while still in progress — for a machine whose result is `void` (delete),
   * `complete` tells the two apart. Rejects to fail the operation: throw a `QuotaError` to abort
   * a launch without failing the node.
   */
  advance(): Promise<Result | undefined>;
}

/**
 * The kit's shared view of the provider's instances: one `listInstances()` call per listing
 * interval serves every machine, however many nodes are in flight.
 */
export interface InstanceListing {
  /**
   * The instance as of a listing made after this call (so a state change the machine is
   * waiting for is seen), or undefined if the cloud does not list it.
   */
  get(externalId: string): Promise<Instance | undefined>;
  /** Every instance, as of a listing made after this call. */
  all(): Promise<Instance[]>;
}

/**
 * Rate limiters the kit hands an adapter, per provider: route every cloud API call through
 * them (mutating calls at the provider's `rate`, read-only calls on a larger budget).
 */
export interface AdapterContext {
  readonly rateLimits: {
    /** Creating, deleting, changing: `rate` calls per second. */
    readonly mutating: RateLimiter;
    /** Listing and reading: a larger budget. */
    readonly readOnly: RateLimiter;
  };
  readonly log: Logger;
  /**
   * The provider's metrics, for counters the adapter keeps itself (openstack's
   * `nodepool.provider.<name>.leaked.ports`, API timers). Absent when no metrics are sent.
   */
  readonly stats?: Stats;
}

/** Spaces calls out to at most a number per second. */
export interface RateLimiter {
  /** Runs `call` once the budget allows it. */
  run<T>(call: () => Promise<T>): Promise<T>;
  /**
   * The cloud said "slow down" (HTTP 429, RequestLimitExceeded): calls pause for `ms`
   * (default: a second), across every user of this limiter.
   */
  backOff(ms?: number): void;
}

/** Inputs of `Adapter.getCreateStateMachine`, one object so new fields never break drivers. */
export interface CreateStateMachineOptions<L extends ConfigLabel = ConfigLabel> {
  /** Host name to give the instance, `np<node id>`. */
  readonly hostname: string;
  readonly label: L;
  /** Cloud ID of the image to boot (diskimage upload or cloud image). */
  readonly imageExternalId: string | undefined;
  /** Nodepool's tags to put on every resource created. */
  readonly metadata: Readonly<Record<string, string>>;
  readonly request: NodeRequest;
  /** The availability zone to use, from `getAZs()`, shared by the whole node set. */
  readonly az: string | undefined;
  /** Where to look for the instance's progress instead of reading it one by one. */
  readonly instances: InstanceListing;
  readonly log: Logger;
}

/**
 * The cloud-specific half of a state-machine driver (aws, azure, gce, ibmvpc, openstack,
 * metastatic). It talks to the cloud and nothing else: ZooKeeper, locks, retries, timeouts,
 * quota caching, key scans, statistics and leak bookkeeping belong to core's kit.
 *
 * Every call may be made concurrently with others; rate limiting is the kit's job.
 */
export interface Adapter<L extends ConfigLabel = ConfigLabel> {
  /** A machine that creates one instance. Called by the launcher for each new node. */
  getCreateStateMachine(options: CreateStateMachineOptions<L>): StateMachine<Instance>;
  /** A machine that deletes the instance `externalId` (and what belongs to it). */
  getDeleteStateMachine(externalId: string, options: { instances: InstanceListing; log: Logger }): StateMachine<void>;
  /**
   * Every instance in the provider's region/account, Nodepool's or not. The kit calls it once
   * per pass and shares the answer between all nodes, so one call serves many.
   */
  listInstances(): Promise<Instance[]>;
  /**
   * Every deletable resource carrying Nodepool metadata, for leak cleanup. Take instances from
   * `instances.all()` rather than listing them again: the kit's one listing per interval then
   * holds for cleanup too.
   */
  listResources(options: { instances: InstanceListing }): Promise<Resource[]>;
  /** Deletes one resource found by `listResources`. A resource already gone counts as deleted. */
  deleteResource(resource: Resource): Promise<void>;
  /** Quota limits of the account, if the cloud reports them. Default: unlimited. */
  getQuotaLimits?(): Promise<QuotaInformation>;
  /** What one node of a label uses. Default: one instance. */
  getQuotaForLabel?(label: L): Promise<QuotaInformation>;
  /** Availability zones to spread node sets over. Default: one unnamed zone (`[undefined]`). */
  getAZs?(): Promise<(string | undefined)[]>;
  /** Whether `label` can launch now (e.g. its cloud image exists). Default: true. */
  labelReady?(label: L): boolean;
  /**
   * Uploads a built image; returns its cloud ID. Called by nodepool-builder. Required for
   * providers with `diskimages`.
   */
  uploadImage?(options: ImageUploadOptions): Promise<string>;
  /** Deletes an uploaded image by its cloud ID. */
  deleteImage?(externalId: string): Promise<void>;
  /**
   * The provider's images with their metadata, for `nodepool alien-image-list`: the kit keeps
   * those Nodepool uploaded (they carry `nodepool_build_id` and this provider's name) that
   * ZooKeeper no longer knows. Default: no images listed.
   */
  listImages?(): Promise<{ id: string; name: string; metadata: Readonly<Record<string, string>> }[]>;
  /** The console log of an instance, for failed launches; default: none. */
  getConsoleLog?(label: L, externalId: string): Promise<string>;
  /**
   * The kit could not reach the instance over SSH in time. Called before the failed attempt is
   * unwound, and awaited (a rejection is logged), so the instance still exists (openstack's
   * `console-log` reads its console here). Default: nothing.
   */
  notifyNodescanFailure?(label: L, externalId: string): void | Promise<void>;
  /** Stops background work of the adapter. Default: nothing. */
  stop?(): Promise<void>;
}

/**
 * A driver made of an adapter: core's state-machine provider runs it, so the driver supplies
 * `createAdapter` instead of `createProvider`.
 */
export type StateMachineDriver<C extends ProviderConfig = ProviderConfig, L extends ConfigLabel = ConfigLabel> = Omit<Driver<C>, 'createProvider'> & {
  /** Creates the adapter of one provider; called again when a reload changes the provider. */
  createAdapter(config: C, context: AdapterContext): Adapter<L>;
};
