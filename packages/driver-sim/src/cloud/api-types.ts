/**
 * The simulated cloud's wire format: the JSON its HTTP API takes and returns. The driver's
 * client reads the same types, so the two cannot drift apart.
 */

/** Where an instance is in its life: `building` → `running` (or `error`); `deleting` → gone. */
export type SimInstanceStatus = 'building' | 'running' | 'error' | 'deleting';

/** An instance as `GET /instances` and `GET /instances/:id` return it. */
export interface SimInstance {
  /** The cloud's ID, e.g. `i-0000002a`. */
  readonly id: string;
  readonly name: string;
  readonly status: SimInstanceStatus;
  /** Flavor name, and the cores and RAM (MiB) it gives the instance. */
  readonly flavor: string;
  readonly cores: number;
  readonly ram: number;
  /** The image it booted from, if any. */
  readonly imageId: string | null;
  readonly az: string;
  readonly region: string;
  /** Tags given at creation (Nodepool's `nodepool_node_id`, … among them). */
  readonly metadata: Readonly<Record<string, string>>;
  /** Addresses the instance answers on (the cloud's configured `address`/`privateAddress`). */
  readonly addresses: { readonly public: string; readonly private: string };
  /** The port its SSH server listens on (the cloud's configured `sshPort`). */
  readonly sshPort: number;
  /** ISO 8601. */
  readonly createdAt: string;
}

/**
 * Where an image is in its life. A registered image is `active` at once; one created with
 * `upload: true` waits `queued` for its file, is `saving` while the file arrives, and ends
 * `active` (or `killed` when the bytes do not match the checksums declared at creation).
 */
export type SimImageStatus = 'queued' | 'saving' | 'active' | 'killed';

/**
 * An image record. The cloud keeps what it learns of an uploaded file (its size and checksums,
 * computed from the bytes received), never its contents.
 */
export interface SimImage {
  /** The cloud's ID, e.g. `img-0000000c`. */
  readonly id: string;
  readonly name: string;
  /** `qcow2`, `raw`, … as given at upload. */
  readonly format: string;
  /** Bytes of the uploaded file: as received, or as told at registration. */
  readonly size: number | null;
  readonly status: SimImageStatus;
  readonly metadata: Readonly<Record<string, string>>;
  /** Hex digests: of the bytes received once uploaded, else as declared at creation. */
  readonly md5: string | null;
  readonly sha256: string | null;
  /** ISO 8601. */
  readonly createdAt: string;
}

/** An instance size. RAM in MiB. */
export interface SimFlavor {
  readonly name: string;
  readonly cores: number;
  readonly ram: number;
}

/** Per-resource amounts of `GET /quota`; a `null` limit is unlimited. */
export interface SimQuota {
  readonly limits: { readonly instances: number | null; readonly cores: number | null; readonly ram: number | null };
  readonly usage: { readonly instances: number; readonly cores: number; readonly ram: number };
}

/** Body of `POST /instances`. */
export interface SimCreateInstanceRequest {
  readonly name: string;
  /** A flavor name from `GET /flavors`. */
  readonly flavor: string;
  /** An image from `GET /images`; none boots an image-less instance. */
  readonly imageId?: string | null;
  /** A zone from `GET /availability-zones`; default the first one. */
  readonly az?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
}

/**
 * Body of `POST /_sim/instances`: an instance made behind the API's back (no quota, throttle,
 * counters or boot), e.g. a leak carrying the metadata of a node that does not exist.
 */
export interface SimDirectInstanceRequest {
  /** Default `sim-direct-<n>`. */
  readonly name?: string;
  /** Default the first flavor. */
  readonly flavor?: string;
  readonly imageId?: string | null;
  readonly az?: string | null;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Default `running`. */
  readonly status?: SimInstanceStatus;
}

/** Body of `POST /images` (and `POST /_sim/images`). */
export interface SimCreateImageRequest {
  readonly name: string;
  /** Default `raw`. */
  readonly format?: string;
  readonly size?: number | null;
  readonly metadata?: Readonly<Record<string, string>>;
  /** Declared checksums: an uploaded file whose bytes do not match them kills the image. */
  readonly md5?: string | null;
  readonly sha256?: string | null;
  /**
   * True: the image is created `queued` and becomes `active` once its file is uploaded with
   * `PUT /images/:id/file`. Default false: registered, `active` at once.
   */
  readonly upload?: boolean;
  /** Only for `POST /_sim/images` and seeded images: choose the ID. */
  readonly id?: string;
}

/** What every error response carries. */
export type SimErrorCode =
  | 'BadRequest'
  | 'NotFound'
  | 'UnknownRoute'
  | 'MethodNotAllowed'
  | 'Conflict'
  | 'QuotaExceeded'
  | 'Throttled'
  | 'InternalError';

/**
 * The body of every non-2xx response. `QuotaExceeded` comes with HTTP 403 and names the
 * `resource`; `Throttled` with HTTP 429, `Retry-After` (seconds) and `Retry-After-Ms` headers
 * and `retryAfterMs`; `NotFound` (HTTP 404) means the instance or image does not exist, while
 * `UnknownRoute` (also 404) means the path is wrong.
 */
export interface SimErrorBody {
  readonly error: {
    readonly code: SimErrorCode;
    readonly message: string;
    readonly resource?: 'instances' | 'cores' | 'ram';
    readonly retryAfterMs?: number;
  };
}

/** The cloud's API operations, as the call counters and throttle rules name them. */
export const SIM_OPERATIONS = [
  'instances.list',
  'instances.create',
  'instances.get',
  'instances.delete',
  'images.list',
  'images.create',
  'images.get',
  'images.delete',
  'images.upload',
  'flavors.list',
  'zones.list',
  'quota.get',
] as const;

export type SimOperation = (typeof SIM_OPERATIONS)[number];

/**
 * Which calls of one operation the cloud throttles (HTTP 429), whatever the clock says: the
 * first `first` calls after the rule is set, then every `every`-th call after those (the
 * `every`-th, the 2×`every`-th, …). A test that asserts throttling uses these rather than
 * `rateLimit`, since whether a rate is reached depends on the machine's speed.
 */
export interface SimThrottleRule {
  /** Calls throttled from the start of the rule; default 0. */
  readonly first?: number;
  /** After the first ones, every this many calls one is throttled; 1 throttles them all. */
  readonly every?: number;
  /** The wait the 429 asks for (`Retry-After-Ms`); default 1000. */
  readonly retryAfterMs?: number;
}

/**
 * The settings of a running simulated cloud, all changeable at run time (`POST /_sim/config`).
 * `null` means unlimited for the quota limits and the rate limit.
 */
export interface SimCloudSettings {
  /** Milliseconds an instance stays `building`; 0: `running` at once. */
  readonly bootDelayMs: number;
  /** Milliseconds a deleted instance stays `deleting` before it is gone; 0: gone at once. */
  readonly deleteDelayMs: number;
  /** Share of new instances that end in `error` instead of `running`, 0 to 1. */
  readonly failureRate: number;
  /** Seed of the draws deciding which instances fail; setting it restarts the sequence. */
  readonly seed: number;
  /**
   * API requests per second (a burst of one second's worth is allowed); beyond: HTTP 429. For
   * realism in benchmarks and demos: tests throttle with `throttles`.
   */
  readonly rateLimit: number | null;
  /**
   * Throttling by count, by operation (`instances.create`, …) or `*` for every operation,
   * checked before `rateLimit`, e.g. `{ "instances.create": { "first": 2 } }`. A patch is
   * merged (a rule set again counts anew); null removes a rule.
   */
  readonly throttles: Readonly<Partial<Record<SimOperation | '*', SimThrottleRule>>>;
  readonly maxInstances: number | null;
  readonly maxCores: number | null;
  /** MiB. */
  readonly maxRam: number | null;
  /** The public address instances report. */
  readonly address: string;
  /** The private address instances report; `null`: the same as `address`. */
  readonly privateAddress: string | null;
  /** The SSH port instances report. */
  readonly sshPort: number;
  readonly region: string;
  readonly zones: readonly string[];
  readonly flavors: readonly SimFlavor[];
  /**
   * While true, a file upload (`PUT /images/:id/file`) is read but not answered: its image
   * stays `saving` until this is set false. Lets a test catch an uploader mid-upload without
   * racing a clock.
   */
  readonly holdUploads: boolean;
}

/** A change to the settings (`POST /_sim/config`): any of them; `throttles` is merged, null removing a rule. */
export interface SimCloudSettingsPatch extends Partial<Omit<SimCloudSettings, 'throttles'>> {
  readonly throttles?: Readonly<Partial<Record<SimOperation | '*', SimThrottleRule | null>>>;
}

/** Per-operation API call counters (`GET /_sim/calls`), e.g. `{"instances.create": 10}`. */
export type SimCallCounts = Readonly<Record<string, number>>;
