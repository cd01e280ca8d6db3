import type {
  SimCallCounts,
  SimCloudSettings,
  SimCloudSettingsPatch,
  SimThrottleRule,
  SimCreateImageRequest,
  SimFlavor,
  SimImage,
  SimImageStatus,
  SimInstance,
  SimInstanceStatus,
  SimQuota,
} from './api-types.js';
import { DEFAULT_IMAGES, DEFAULT_SETTINGS, type SimCloudOptions } from './sim-cloud-options.js';
import { badRequest, SimCloudError } from './sim-cloud-error.js';
import { parseSettingsPatch } from './settings-patch.js';
import { optionalNumber, optionalString, optionalTags, requireObject, requireString } from './validate.js';

interface InstanceRecord {
  readonly id: string;
  readonly name: string;
  readonly flavor: SimFlavor;
  readonly imageId: string | null;
  readonly az: string;
  readonly region: string;
  readonly metadata: Record<string, string>;
  readonly addresses: { public: string; private: string };
  readonly sshPort: number;
  readonly createdAt: number;
  status: SimInstanceStatus;
  /** When a `building` instance is done booting. */
  readyAt: number;
  /** Whether it ends in `error` rather than `running`, drawn at creation. */
  readonly fails: boolean;
  /** When a `deleting` instance is gone. */
  goneAt: number;
}

const STATUSES: readonly SimInstanceStatus[] = ['building', 'running', 'error', 'deleting'];

/**
 * The simulated cloud's state and rules, without HTTP: instances, images, quota, the throttle
 * and the call counters. Time is read from the clock when asked rather than kept by timers, so
 * a boot or a deletion completes at the first look after its moment, and a fake clock drives
 * it all in tests.
 */
export class SimCloud {
  private settings: SimCloudSettings;
  private readonly instances = new Map<string, InstanceRecord>();
  private readonly images = new Map<string, SimImage>();
  private readonly counters = new Map<string, number>();
  /** Uploads waiting for `holdUploads` to be turned off. */
  private heldUploads: (() => void)[] = [];
  private random: () => number;
  private throttle: TokenBucket | undefined;
  /** Calls seen per `throttles` rule (by operation, or `*`) since the rule was set. */
  private readonly throttleCounts = new Map<string, number>();
  // Never restarted, not even by reset(): an ID is never handed out twice by one cloud.
  private instanceSerial = 0;
  private imageSerial = 0;
  private directSerial = 0;

  constructor(
    private readonly options: SimCloudOptions = {},
    private readonly now: () => number = options.now ?? Date.now,
  ) {
    this.settings = { ...DEFAULT_SETTINGS };
    this.random = seededRandom(DEFAULT_SETTINGS.seed);
    this.reset();
  }

  // ---- control ----------------------------------------------------------------------------

  /** Back to the starting state: settings, images, no instances, counters at zero. */
  reset(): void {
    this.settings = { ...DEFAULT_SETTINGS };
    this.instances.clear();
    this.images.clear();
    this.counters.clear();
    this.releaseUploads();
    this.throttleCounts.clear();
    const { host: _host, port: _port, images, now: _now, ...settings } = this.options;
    this.configure(settings);
    this.random = seededRandom(this.settings.seed);
    this.resetThrottle();
    for (const image of images ?? DEFAULT_IMAGES) this.addImage(image);
  }

  /** Changes settings (checked as `POST /_sim/config` checks them); returns them all. */
  configure(patch: unknown): SimCloudSettings {
    const { throttles, ...checked } = parseSettingsPatch(stripUndefined(patch));
    this.settings = { ...this.settings, ...checked };
    if (throttles) {
      const merged: Record<string, SimThrottleRule> = { ...this.settings.throttles };
      for (const [operation, rule] of Object.entries(throttles)) {
        if (rule) merged[operation] = rule;
        else delete merged[operation];
        // A rule set again counts from now on, as a test setting it expects.
        this.throttleCounts.delete(operation);
      }
      this.settings = { ...this.settings, throttles: merged };
    }
    if ('seed' in checked) this.random = seededRandom(this.settings.seed);
    if (!this.settings.holdUploads) this.releaseUploads();
    if ('rateLimit' in checked) this.resetThrottle();
    return this.getSettings();
  }

  getSettings(): SimCloudSettings {
    return structuredClone(this.settings);
  }

  /**
   * Lets an API request for `operation` through the throttles (the `throttles` rules, then the
   * rate limit) and counts it. Returns 0 when it may go ahead, else the milliseconds the client
   * is to wait: such a request is counted as `<operation>.throttled` instead.
   */
  admit(operation: string): number {
    // Both rules count the call, whichever of them throttles it.
    const ruled = Math.max(this.throttledByRule(operation), this.throttledByRule('*'));
    const wait = ruled > 0 ? ruled : (this.throttle?.take(this.now()) ?? 0);
    const key = wait > 0 ? `${operation}.throttled` : operation;
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    return wait;
  }

  calls(): SimCallCounts {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCalls(): SimCallCounts {
    const calls = this.calls();
    this.counters.clear();
    return calls;
  }

  /** An instance made behind the API's back (`POST /_sim/instances`); it stays in its status. */
  createInstanceDirectly(body: unknown = {}): SimInstance {
    const request = requireObject(body, 'the request body');
    const status = request.status ?? 'running';
    if (!STATUSES.includes(status as SimInstanceStatus)) throw badRequest(`status must be one of ${STATUSES.join(', ')}`);
    const record = this.newInstance(
      {
        ...request,
        name: optionalString(request, 'name') ?? `sim-direct-${++this.directSerial}`,
        flavor: optionalString(request, 'flavor') ?? this.settings.flavors[0]!.name,
      },
      false,
    );
    record.status = status as SimInstanceStatus;
    if (record.status === 'building') record.readyAt = Infinity;
    if (record.status === 'deleting') record.goneAt = this.now() + this.settings.deleteDelayMs;
    this.instances.set(record.id, record);
    this.settle();
    return this.instanceJson(record);
  }

  /** An image made behind the API's back (`POST /_sim/images`), its ID chosen if given. */
  createImageDirectly(body: unknown): SimImage {
    return this.addImage(body);
  }

  // ---- the API ----------------------------------------------------------------------------

  listInstances(): SimInstance[] {
    this.settle();
    return [...this.instances.values()].map((record) => this.instanceJson(record));
  }

  getInstance(id: string): SimInstance {
    this.settle();
    return this.instanceJson(this.findInstance(id));
  }

  createInstance(body: unknown): SimInstance {
    this.settle();
    const request = requireObject(body, 'the request body');
    const record = this.newInstance(request, true);
    this.checkQuota(record.flavor);
    this.instances.set(record.id, record);
    this.settle();
    return this.instanceJson(record);
  }

  /** Starts deleting; the instance is listed as `deleting` until the delete delay passed. */
  deleteInstance(id: string): SimInstance {
    this.settle();
    const record = this.findInstance(id);
    if (record.status !== 'deleting') {
      record.status = 'deleting';
      record.goneAt = this.now() + this.settings.deleteDelayMs;
    }
    const last = this.instanceJson(record);
    this.settle();
    return last;
  }

  listImages(): SimImage[] {
    return [...this.images.values()];
  }

  getImage(id: string): SimImage {
    const image = this.images.get(id);
    if (!image) throw new SimCloudError(404, 'NotFound', `image ${id} does not exist`);
    return image;
  }

  createImage(body: unknown): SimImage {
    const { id: _ignored, ...request } = requireObject(body, 'the request body');
    return this.addImage(request);
  }

  deleteImage(id: string): void {
    if (!this.images.delete(id)) throw new SimCloudError(404, 'NotFound', `image ${id} does not exist`);
  }

  /** The file of a `queued` image starts to arrive: it is `saving` until `finishUpload`. */
  beginUpload(id: string): void {
    const image = this.getImage(id);
    if (image.status !== 'queued') throw new SimCloudError(409, 'Conflict', `image ${id} is ${image.status}; only a queued image takes a file`);
    this.setImageStatus(image, 'saving');
  }

  /**
   * The file has arrived: the image is `active` with the size and checksums of the bytes
   * received, or `killed` (and the upload refused) when they contradict the declared checksums.
   */
  finishUpload(id: string, received: { size: number; md5: string; sha256: string }): SimImage {
    const image = this.getImage(id);
    const mismatch = (image.md5 !== null && image.md5 !== received.md5) || (image.sha256 !== null && image.sha256 !== received.sha256);
    if (mismatch) {
      this.setImageStatus(image, 'killed');
      throw badRequest(`the file of image ${id} does not match its declared checksums`);
    }
    const done: SimImage = { ...image, status: 'active', size: received.size, md5: received.md5, sha256: received.sha256 };
    this.images.set(id, done);
    return done;
  }

  /** An upload broke off (the uploader went away): the image waits `queued` again. */
  abandonUpload(id: string): void {
    const image = this.images.get(id);
    if (image?.status === 'saving') this.setImageStatus(image, 'queued');
  }

  /** Resolves once uploads are not held (`holdUploads` false); at once when they are not. */
  uploadsReleased(): Promise<void> {
    if (!this.settings.holdUploads) return Promise.resolve();
    return new Promise((resolve) => this.heldUploads.push(resolve));
  }

  flavors(): SimFlavor[] {
    return this.settings.flavors.map((flavor) => ({ ...flavor }));
  }

  zones(): string[] {
    return [...this.settings.zones];
  }

  quota(): SimQuota {
    this.settle();
    const { maxInstances, maxCores, maxRam } = this.settings;
    return { limits: { instances: maxInstances, cores: maxCores, ram: maxRam }, usage: this.usage() };
  }

  // ---- local implementation -----------------------------------------------------------------

  /** Counts a call against the `throttles` rule `key`; the wait to ask for when it throttles the call, else 0. */
  private throttledByRule(key: string): number {
    const rule = (this.settings.throttles as Readonly<Record<string, SimThrottleRule>>)[key];
    if (!rule) return 0;
    const n = (this.throttleCounts.get(key) ?? 0) + 1;
    this.throttleCounts.set(key, n);
    const first = rule.first ?? 0;
    const throttled = n <= first || (rule.every !== undefined && (n - first) % rule.every === 0);
    // At least 1 ms: 0 would mean "go ahead".
    return throttled ? Math.max(1, rule.retryAfterMs ?? 1_000) : 0;
  }

  /** A full bucket for the current rate limit, or none. */
  private resetThrottle(): void {
    this.throttle = this.settings.rateLimit === null ? undefined : new TokenBucket(this.settings.rateLimit, this.now());
  }

  /** Applies what the clock says has happened: boots finished, deletions done. */
  private settle(): void {
    const now = this.now();
    for (const record of this.instances.values()) {
      if (record.status === 'building' && now >= record.readyAt) record.status = record.fails ? 'error' : 'running';
      else if (record.status === 'deleting' && now >= record.goneAt) this.instances.delete(record.id);
    }
  }

  private newInstance(request: Record<string, unknown>, viaApi: boolean): InstanceRecord {
    const name = requireString(request, 'name');
    const flavorName = requireString(request, 'flavor');
    const flavor = this.settings.flavors.find((candidate) => candidate.name === flavorName);
    if (!flavor) throw badRequest(`flavor ${flavorName} does not exist (known: ${this.settings.flavors.map((f) => f.name).join(', ')})`);
    const imageId = optionalString(request, 'imageId') ?? null;
    if (viaApi && imageId !== null && !this.images.has(imageId)) throw badRequest(`image ${imageId} does not exist`);
    const status = imageId === null ? undefined : this.images.get(imageId)?.status;
    if (viaApi && status !== undefined && status !== 'active') throw badRequest(`image ${imageId} is ${status}, not active`);
    const az = optionalString(request, 'az') ?? this.settings.zones[0]!;
    if (viaApi && !this.settings.zones.includes(az)) throw badRequest(`availability zone ${az} does not exist (known: ${this.settings.zones.join(', ')})`);
    const metadata = optionalTags(request, 'metadata');
    // Drawn for every instance, failing or not, so the n-th instance's fate depends on the
    // seed and the rate alone.
    const draw = this.random();
    const now = this.now();
    const { address, privateAddress, sshPort, region, bootDelayMs, failureRate } = this.settings;
    return {
      id: `i-${(++this.instanceSerial).toString(16).padStart(8, '0')}`,
      name,
      flavor,
      imageId,
      az,
      region,
      metadata,
      addresses: { public: address, private: privateAddress ?? address },
      sshPort,
      createdAt: now,
      status: 'building',
      readyAt: now + bootDelayMs,
      fails: viaApi && draw < failureRate,
      goneAt: Infinity,
    };
  }

  private checkQuota(flavor: SimFlavor): void {
    const usage = this.usage();
    const { maxInstances, maxCores, maxRam } = this.settings;
    const wanted: ['instances' | 'cores' | 'ram', number, number, number | null][] = [
      ['instances', 1, usage.instances, maxInstances],
      ['cores', flavor.cores, usage.cores, maxCores],
      ['ram', flavor.ram, usage.ram, maxRam],
    ];
    for (const [resource, requested, used, limit] of wanted) {
      if (limit !== null && used + requested > limit) {
        throw new SimCloudError(403, 'QuotaExceeded', `Quota exceeded for ${resource}: requested ${requested}, ${used} of ${limit} in use`, { resource });
      }
    }
  }

  /** Every instance still present counts, `error` and `deleting` ones too, as in real clouds. */
  private usage(): SimQuota['usage'] {
    let instances = 0;
    let cores = 0;
    let ram = 0;
    for (const record of this.instances.values()) {
      instances++;
      cores += record.flavor.cores;
      ram += record.flavor.ram;
    }
    return { instances, cores, ram };
  }

  private findInstance(id: string): InstanceRecord {
    const record = this.instances.get(id);
    if (!record) throw new SimCloudError(404, 'NotFound', `instance ${id} does not exist`);
    return record;
  }

  private addImage(body: unknown): SimImage {
    const request = requireObject(body, 'the request body');
    const id = optionalString(request, 'id') ?? `img-${(++this.imageSerial).toString(16).padStart(8, '0')}`;
    if (this.images.has(id)) throw badRequest(`image ${id} already exists`);
    const image: SimImage = {
      id,
      name: requireString(request, 'name'),
      format: optionalString(request, 'format') ?? 'raw',
      size: optionalNumber(request, 'size', { integer: true, nullable: true }) ?? null,
      status: request.upload === true ? 'queued' : 'active',
      metadata: optionalTags(request, 'metadata'),
      md5: optionalString(request, 'md5') ?? null,
      sha256: optionalString(request, 'sha256') ?? null,
      createdAt: new Date(this.now()).toISOString(),
    };
    this.images.set(id, image);
    return image;
  }

  private setImageStatus(image: SimImage, status: SimImageStatus): void {
    this.images.set(image.id, { ...image, status });
  }

  private releaseUploads(): void {
    const waiting = this.heldUploads;
    this.heldUploads = [];
    for (const release of waiting) release();
  }

  private instanceJson(record: InstanceRecord): SimInstance {
    return {
      id: record.id,
      name: record.name,
      status: record.status,
      flavor: record.flavor.name,
      cores: record.flavor.cores,
      ram: record.flavor.ram,
      imageId: record.imageId,
      az: record.az,
      region: record.region,
      metadata: { ...record.metadata },
      addresses: { ...record.addresses },
      sshPort: record.sshPort,
      createdAt: new Date(record.createdAt).toISOString(),
    };
  }
}

/** A token bucket: `rate` tokens a second, holding at most a second's worth (at least one). */
class TokenBucket {
  private tokens: number;
  private readonly capacity: number;

  constructor(
    private readonly rate: number,
    private last: number,
  ) {
    this.capacity = Math.max(1, rate);
    this.tokens = this.capacity;
  }

  /** Takes a token: 0 when there was one, else the milliseconds until there is. */
  take(now: number): number {
    this.tokens = Math.min(this.capacity, this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.tokens) / this.rate) * 1000));
  }
}

/** mulberry32: a small, fast PRNG, the same sequence for the same seed everywhere. */
function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `{a: undefined}` reads as "a not given", as it does for the options of `startSimCloud`. */
function stripUndefined(value: unknown): unknown {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return value;
  return Object.fromEntries(Object.entries(value).filter(([, item]) => item !== undefined));
}
