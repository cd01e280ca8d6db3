import { AwsApiError, statusOfCode } from './aws-api-error.js';
import { DEFAULT_IMAGES } from './default-images.js';
import { Ec2Model } from './ec2-model.js';
import {
  applySettingsPatch,
  copySettings,
  DEFAULT_SETTINGS,
  FakeAwsUsageError,
  type FakeAwsRateLimits,
  type FakeAwsSettings,
  type FakeAwsSettingsPatch,
} from './fake-aws-settings.js';
import type {
  AddHostRequest,
  AddImageRequest,
  AddInstanceRequest,
  AddObjectRequest,
  AddSnapshotRequest,
  AddVolumeRequest,
  FakeAwsFailure,
  FakeAwsFailureRule,
  FakeAwsState,
  FakeCallCounts,
  FakeHost,
  FakeImage,
  FakeInstance,
  FakeS3Object,
  FakeSnapshot,
  FakeVolume,
} from './fake-aws-types.js';
import { objectView, S3Model } from './s3-model.js';
import { TokenBucket } from './token-bucket.js';

/** Options of `startFakeAws`: any setting, plus where to listen and what to start with. */
export interface FakeAwsOptions extends FakeAwsSettingsPatch {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** AMIs present from the start (and after a reset); default `DEFAULT_IMAGES` (public Ubuntu and Debian ones). */
  readonly images?: readonly AddImageRequest[];
  /** S3 buckets present from the start (and after a reset); default none. */
  readonly buckets?: readonly string[];
  /**
   * The clock boots, terminations, imports and the throttle run on, in milliseconds; default
   * `Date.now`. A test can pass a fake one and move it forward instead of waiting.
   */
  readonly now?: () => number;
}

/** Rate-limit class of an API call: EC2 describe or mutating, S3, Service Quotas. */
export type FakeAwsRateClass = keyof FakeAwsRateLimits;

/** The real messages of error codes a test is likely to inject. */
const DEFAULT_MESSAGES: Readonly<Record<string, string>> = {
  RequestLimitExceeded: 'Request limit exceeded.',
  InsufficientInstanceCapacity: 'We currently do not have sufficient capacity in the Availability Zone you requested. Our system will be working on provisioning additional capacity.',
  InsufficientHostCapacity: 'There is not enough capacity to fulfill your Dedicated Host request.',
  VcpuLimitExceeded: 'You have requested more vCPU capacity than your current vCPU limit allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.',
  InstanceLimitExceeded: 'You have requested more instances than your current instance limit allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.',
  MaxSpotInstanceCountExceeded: 'Max spot instance count exceeded',
  VolumeLimitExceeded: 'You have exceeded your maximum gp2 storage limit in this region. Please contact AWS Support to request an Elastic Block Store service limit increase.',
  HostLimitExceeded: 'You have requested more Dedicated Hosts than your current limit allows.',
  ResourceCountLimitExceeded: 'You have reached the maximum number of active import tasks. Wait for some of them to finish and try again.',
  InternalError: 'An internal error has occurred',
  Unavailable: "The server is overloaded and can't handle the request.",
  SlowDown: 'Please reduce your request rate.',
  ServiceUnavailable: 'Please reduce your request rate.',
  ThrottlingException: 'Rate exceeded',
  ServiceException: 'Something went wrong.',
};

const CALL_LOG_LIMIT = 10_000;

interface Rule {
  readonly action: string;
  readonly code: string;
  readonly message: string;
  readonly status: number;
  /** Failures left; null for a rule that holds until cleared. */
  remaining: number | null;
  readonly rate: number | null;
  readonly every: number | null;
  /** Matching calls seen, for `every`. */
  seen: number;
}

/**
 * A fake AWS's state and rules, without HTTP: the EC2 and S3 models, settings, call counters,
 * throttles and injected failures.
 */
export class FakeAws {
  private current: FakeAwsSettings = DEFAULT_SETTINGS;
  readonly s3: S3Model;
  readonly ec2: Ec2Model;
  private readonly counters = new Map<string, number>();
  /** What the counters counted, in order; the oldest entries go beyond `CALL_LOG_LIMIT`. */
  private log: string[] = [];
  private readonly buckets = new Map<string, TokenBucket>();
  /** Calls seen per `throttles` rule (by its key) since the rule was set. */
  private readonly throttleCounts = new Map<string, number>();
  private rules: Rule[] = [];
  private random: () => number = seededRandom(DEFAULT_SETTINGS.seed);
  readonly now: () => number;

  constructor(private readonly options: FakeAwsOptions = {}) {
    this.now = options.now ?? Date.now;
    this.s3 = new S3Model(this.now);
    this.ec2 = new Ec2Model(this.now, () => this.current, this.s3);
    this.reset();
  }

  // ---- control ------------------------------------------------------------------------------

  /** Back to the starting state: settings from the options, base images and buckets, nothing else. */
  reset(): void {
    const { host: _host, port: _port, images, buckets, now: _now, ...settings } = this.options;
    this.current = applySettingsPatch(DEFAULT_SETTINGS, settings);
    this.ec2.clear();
    this.s3.clear();
    this.counters.clear();
    this.log = [];
    this.buckets.clear();
    this.throttleCounts.clear();
    this.rules = [];
    this.random = seededRandom(this.current.seed);
    for (const image of images ?? DEFAULT_IMAGES) this.ec2.addImage(image);
    for (const bucket of buckets ?? []) this.s3.createBucket(bucket);
  }

  /** Changes settings from now on (checked; throws `FakeAwsUsageError`); returns them all. */
  configure(patch: FakeAwsSettingsPatch | unknown): FakeAwsSettings {
    const next = applySettingsPatch(this.current, patch);
    if (next.seed !== this.current.seed) this.random = seededRandom(next.seed);
    // A rule set again counts from now on, as a test setting it expects.
    for (const action of Object.keys((patch as FakeAwsSettingsPatch).throttles ?? {})) this.throttleCounts.delete(action);
    this.current = next;
    return this.settings();
  }

  settings(): FakeAwsSettings {
    return copySettings(this.current);
  }

  /**
   * Lets an API call through the throttles (the `throttles` rules, then the token buckets of
   * its class and of its action) and counts it. False when it is to be refused: such a call is
   * counted as `<action>.throttled`.
   */
  admit(action: string, rateClass: FakeAwsRateClass): boolean {
    const now = this.now();
    // Both rules count the call, whichever of them throttles it.
    const ruled = [this.throttledByRule(action), this.throttledByRule('*')].some(Boolean);
    const allowed = !ruled && this.take(`class:${rateClass}`, this.current.rateLimits[rateClass], now) && this.take(`action:${action}`, this.current.actionRateLimits[action] ?? null, now);
    this.count(allowed ? action : `${action}.throttled`);
    return allowed;
  }

  /** Counts a call against the `throttles` rule `key` (an action, or `*`); true when the rule throttles it. */
  private throttledByRule(key: string): boolean {
    const rule = this.current.throttles[key];
    if (!rule) return false;
    const n = (this.throttleCounts.get(key) ?? 0) + 1;
    this.throttleCounts.set(key, n);
    const first = rule.first ?? 0;
    if (n <= first) return true;
    return rule.every !== undefined && (n - first) % rule.every === 0;
  }

  private take(name: string, rate: number | null, now: number): boolean {
    if (rate === null) {
      this.buckets.delete(name);
      return true;
    }
    let bucket = this.buckets.get(name);
    // A changed rate starts a full bucket at the new rate.
    if (!bucket || bucket.rate !== rate) {
      bucket = new TokenBucket(rate, now);
      this.buckets.set(name, bucket);
    }
    return bucket.take(now);
  }

  /** Counts a call answered with an error (`<action>.failed`). */
  countFailure(action: string): void {
    this.count(`${action}.failed`);
  }

  private count(key: string): void {
    this.counters.set(key, (this.counters.get(key) ?? 0) + 1);
    this.log.push(key);
    if (this.log.length > CALL_LOG_LIMIT * 2) this.log = this.log.slice(-CALL_LOG_LIMIT);
  }

  /** Milliseconds to hold a call of `action` before answering. */
  latencyFor(action: string): number {
    return this.current.latencyMs + (this.current.actionLatencyMs[action] ?? 0);
  }

  calls(): FakeCallCounts {
    return Object.fromEntries([...this.counters].sort(([a], [b]) => a.localeCompare(b)));
  }

  resetCalls(): FakeCallCounts {
    const calls = this.calls();
    this.counters.clear();
    this.log = [];
    return calls;
  }

  /**
   * Since the start or the last reset, the keys `calls()` counted, in the order they were
   * counted (`RunInstances`, `RunInstances.throttled`, …; a failed call adds its action, then
   * `<action>.failed`): for tests of what happened before what. The last 10,000 at least.
   */
  callLog(): string[] {
    return this.log.slice(-CALL_LOG_LIMIT);
  }

  /** Adds a failure rule; rules are tried in the order they were added. */
  injectFailure(failure: FakeAwsFailure | unknown): FakeAwsFailureRule[] {
    if (failure === null || typeof failure !== 'object') throw new FakeAwsUsageError('a failure must be an object');
    const { action, code, message, status, count, rate, every } = failure as Record<string, unknown>;
    if (typeof action !== 'string' || action === '') throw new FakeAwsUsageError('a failure needs an action (an API action name, or *)');
    if (typeof code !== 'string' || code === '') throw new FakeAwsUsageError('a failure needs an error code');
    if (message !== undefined && typeof message !== 'string') throw new FakeAwsUsageError('message must be a string');
    if (status !== undefined && (typeof status !== 'number' || !Number.isInteger(status) || status < 400 || status > 599)) throw new FakeAwsUsageError('status must be an HTTP error status (400-599)');
    if (count !== undefined && (typeof count !== 'number' || !Number.isInteger(count) || count < 1)) throw new FakeAwsUsageError('count must be an integer >= 1');
    if (rate !== undefined && (typeof rate !== 'number' || !(rate > 0 && rate <= 1))) throw new FakeAwsUsageError('rate must be above 0 and at most 1');
    if (every !== undefined && (typeof every !== 'number' || !Number.isInteger(every) || every < 1)) throw new FakeAwsUsageError('every must be an integer >= 1');
    if (count !== undefined && rate !== undefined) throw new FakeAwsUsageError('give count or rate, not both');
    if (every !== undefined && rate !== undefined) throw new FakeAwsUsageError('give every or rate, not both');
    this.rules.push({
      action,
      code,
      message: message ?? DEFAULT_MESSAGES[code] ?? `Injected failure: ${code}`,
      status: status ?? statusOfCode(code),
      // `every` alone holds until cleared; with `count`, for that many failures.
      remaining: rate !== undefined ? null : every !== undefined ? ((count as number | undefined) ?? null) : ((count as number | undefined) ?? 1),
      rate: (rate as number | undefined) ?? null,
      every: (every as number | undefined) ?? null,
      seen: 0,
    });
    return this.failures();
  }

  failures(): FakeAwsFailureRule[] {
    return this.rules.map(({ seen: _seen, ...rule }) => rule);
  }

  clearFailures(): void {
    this.rules = [];
  }

  /** The injected failure this call of `action` is to end with, if any (a one-shot rule is used up). */
  takeInjectedFailure(action: string): AwsApiError | undefined {
    for (const rule of this.rules) {
      if (rule.action !== action && rule.action !== '*') continue;
      if (rule.rate !== null) {
        if (this.random() < rule.rate) return new AwsApiError(rule.code, rule.message, rule.status);
        continue;
      }
      if (rule.every !== null && ++rule.seen % rule.every !== 0) continue;
      if (rule.remaining !== null) {
        rule.remaining--;
        if (rule.remaining === 0) this.rules.splice(this.rules.indexOf(rule), 1);
      }
      return new AwsApiError(rule.code, rule.message, rule.status);
    }
    return undefined;
  }

  // ---- state --------------------------------------------------------------------------------

  state(): FakeAwsState {
    const { ec2 } = this;
    ec2.settle();
    return {
      instances: [...ec2.instances.values()].map((record) => ec2.instanceView(record)),
      volumes: [...ec2.volumes.values()].map((record) => ec2.volumeView(record)),
      images: [...ec2.images.values()].map((record) => ec2.imageView(record)),
      snapshots: [...ec2.snapshots.values()].map((record) => ec2.snapshotView(record)),
      hosts: [...ec2.hosts.values()].map((record) => ec2.hostView(record)),
      importSnapshotTasks: [...ec2.importSnapshotTasks.values()].map((record) => ec2.importSnapshotTaskView(record)),
      importImageTasks: [...ec2.importImageTasks.values()].map((record) => ec2.importImageTaskView(record)),
      buckets: this.s3.snapshot(),
    };
  }

  addInstance(request: AddInstanceRequest = {}): FakeInstance {
    return this.ec2.instanceView(this.ec2.addInstance(checkObject(request)));
  }

  addVolume(request: AddVolumeRequest = {}): FakeVolume {
    return this.ec2.volumeView(this.ec2.addVolume(checkObject(request)));
  }

  addImage(request: AddImageRequest): FakeImage {
    return this.ec2.imageView(this.ec2.addImage(checkObject(request)));
  }

  addSnapshot(request: AddSnapshotRequest = {}): FakeSnapshot {
    return this.ec2.snapshotView(this.ec2.addSnapshot(checkObject(request)));
  }

  addHost(request: AddHostRequest): FakeHost {
    return this.ec2.hostView(this.ec2.addHost(checkObject(request)));
  }

  addObject(request: AddObjectRequest): FakeS3Object {
    const { bucket, key, body, tags, contentType } = checkObject(request);
    if (typeof bucket !== 'string' || typeof key !== 'string' || key === '') throw new FakeAwsUsageError('an object needs a bucket and a key');
    this.s3.ensureBucket(bucket);
    const bytes = body === undefined ? Buffer.alloc(0) : typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body);
    const record = this.s3.putObject(bucket, key, bytes, { contentType, tags: new Map(Object.entries(tags ?? {})) });
    return objectView(bucket, record);
  }

  /**
   * Terminates instances behind the API's back, e.g. a spot interruption
   * (`{ code: 'Server.SpotInstanceTermination', … }`). Not counted as API calls.
   */
  terminateInstances(instanceIds: readonly string[], reason?: { code: string; message: string }): FakeInstance[] {
    try {
      this.ec2.terminateInstances(instanceIds, reason);
    } catch (error) {
      throw error instanceof AwsApiError ? new FakeAwsUsageError(error.message) : error;
    }
    return instanceIds.map((id) => this.ec2.instanceView(this.ec2.instances.get(id)!));
  }
}

function checkObject<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new FakeAwsUsageError('the request must be an object');
  return value;
}

/** mulberry32: a small PRNG, the same sequence for the same seed everywhere. */
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
