import { DEFAULT_INSTANCE_TYPES, type FakeInstanceType } from './instance-types.js';
import { DEFAULT_QUOTAS } from './quota-catalog.js';

/** Requests a second per class of call; null is unlimited. Each class has its own bucket. */
export interface FakeAwsRateLimits {
  /** EC2 calls that change something (RunInstances, TerminateInstances, CreateTags, …). */
  readonly mutating: number | null;
  /** EC2 `Describe*` calls. */
  readonly describe: number | null;
  /** S3 requests of any kind. */
  readonly s3: number | null;
  /** Service Quotas requests. */
  readonly quotas: number | null;
}

/**
 * Which calls of one action a fake throttles, whatever the clock says: the first `first` calls
 * after the rule is set, then every `every`-th call after those (the `every`-th, the
 * 2×`every`-th, …). A test that asserts throttling uses these rather than a rate limit,
 * since whether a rate is reached depends on the machine's speed.
 */
export interface FakeThrottleRule {
  /** Calls throttled from the start of the rule; default 0. */
  readonly first?: number;
  /** After the first ones, every this many calls one is throttled; 1 throttles them all. Default none. */
  readonly every?: number;
}

/** What a fake AWS does; every field can be changed while it runs (`configure`). */
export interface FakeAwsSettings {
  readonly region: string;
  /** Availability zones of the region; the first is where unplaced things go. */
  readonly zones: readonly string[];
  /** The account that owns what the API creates (`OwnerId`, `Owners: ['self']`). */
  readonly accountId: string;
  /** Time an instance stays `pending`; 0: `running` at the first look after RunInstances. */
  readonly bootDelayMs: number;
  /** Time a terminated instance stays `shutting-down` before `terminated`. */
  readonly shutdownDelayMs: number;
  /** Time a `terminated` instance (or a `released` host) stays listed before it vanishes. */
  readonly terminatedRetentionMs: number;
  /** Time an import task (snapshot or image) stays `active` before it completes. */
  readonly importDelayMs: number;
  /** Time a registered AMI stays `pending` before `available`. */
  readonly imageDelayMs: number;
  /** Time an allocated dedicated host stays `pending` before `available`. */
  readonly hostDelayMs: number;
  readonly instanceTypes: readonly FakeInstanceType[];
  /**
   * Quota code → value, as Service Quotas serves them and RunInstances/AllocateHosts enforce
   * them: vCPUs for instance codes, hosts for host codes, TiB or IOPS for EBS codes. A patch is
   * merged into the current values.
   */
  readonly quotas: Readonly<Record<string, number>>;
  /** An instance-count limit over all types (`InstanceLimitExceeded`); null for none. */
  readonly instanceLimit: number | null;
  /** False: every spot request fails with `InsufficientInstanceCapacity`. */
  readonly spotCapacity: boolean;
  /** Types (for instances and hosts) that fail with `InsufficientInstanceCapacity`. */
  readonly unavailableInstanceTypes: readonly string[];
  /** Active import tasks of one kind beyond which an import fails with `ResourceCountLimitExceeded`. */
  readonly maxActiveImportTasks: number | null;
  /**
   * Token buckets per class; beyond them `RequestLimitExceeded` / `SlowDown` / `ThrottlingException`.
   * For realism in benchmarks and demos: whether a test reaches a rate depends on the machine,
   * so tests throttle with `throttles`. A patch is merged.
   */
  readonly rateLimits: FakeAwsRateLimits;
  /** Extra buckets for single actions (`{ RunInstances: 2 }`), checked after the class bucket. A patch is merged; null removes. */
  readonly actionRateLimits: Readonly<Record<string, number>>;
  /**
   * Deterministic throttling by action name (or `*` for every action), answered as the rate
   * limits are and counted as `<action>.throttled`, e.g. `{ RunInstances: { first: 3 } }`.
   * Checked before the rate limits. A patch is merged (a rule set again starts counting anew);
   * null removes.
   */
  readonly throttles: Readonly<Record<string, FakeThrottleRule>>;
  /** Added to every API call before it is answered. */
  readonly latencyMs: number;
  /** Added on top of `latencyMs` for single actions. A patch is merged; null removes. */
  readonly actionLatencyMs: Readonly<Record<string, number>>;
  /** The public IPv4 address every instance with one reports (e.g. 127.0.0.1 for keyscans); null: one from 203.0.113.0/24 each. */
  readonly publicAddress: string | null;
  /** The private IPv4 address every instance reports; null: one from 10.0.0.0/16 each. */
  readonly privateAddress: string | null;
  /**
   * Copy an import task's tags onto the snapshot and AMI it produces. Real AWS does not (the
   * original adapter copies them itself with CreateTags), so the default is false.
   */
  readonly tagImportResults: boolean;
  /** Seed of the draws behind rate-based injected failures. */
  readonly seed: number;
}

/** A change to the settings: any field; `quotas`, `rateLimits`, `throttles` and the per-action maps are merged. */
export interface FakeAwsSettingsPatch extends Partial<Omit<FakeAwsSettings, 'quotas' | 'rateLimits' | 'actionRateLimits' | 'actionLatencyMs' | 'throttles'>> {
  /** Merged into the current quotas; null removes a code (Service Quotas no longer knows it, nothing enforces it). */
  readonly quotas?: Readonly<Record<string, number | null>>;
  readonly rateLimits?: Partial<FakeAwsRateLimits>;
  readonly actionRateLimits?: Readonly<Record<string, number | null>>;
  readonly actionLatencyMs?: Readonly<Record<string, number | null>>;
  readonly throttles?: Readonly<Record<string, FakeThrottleRule | null>>;
}

/** What a fake AWS starts with: instant transitions, generous quotas, no throttling. */
export const DEFAULT_SETTINGS: FakeAwsSettings = {
  region: 'us-east-1',
  zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
  accountId: '123456789012',
  bootDelayMs: 0,
  shutdownDelayMs: 0,
  terminatedRetentionMs: 60_000,
  importDelayMs: 0,
  imageDelayMs: 0,
  hostDelayMs: 0,
  instanceTypes: DEFAULT_INSTANCE_TYPES,
  quotas: DEFAULT_QUOTAS,
  instanceLimit: null,
  spotCapacity: true,
  unavailableInstanceTypes: [],
  maxActiveImportTasks: 20,
  rateLimits: { mutating: null, describe: null, s3: null, quotas: null },
  actionRateLimits: {},
  throttles: {},
  latencyMs: 0,
  actionLatencyMs: {},
  publicAddress: null,
  privateAddress: null,
  tagImportResults: false,
  seed: 1,
};

const KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof FakeAwsSettings)[];

/** A bad settings patch (or control request); the control API answers it with HTTP 400. */
export class FakeAwsUsageError extends TypeError {
  override readonly name = 'FakeAwsUsageError';
}

const fail = (message: string): never => {
  throw new FakeAwsUsageError(message);
};

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function count(value: unknown, key: string, nullable: boolean): number | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) fail(`${key} must be a number >= 0${nullable ? ' or null' : ''}`);
  return value as number;
}

function text(value: unknown, key: string, nullable = false): string | null {
  if (value === null && nullable) return null;
  if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string${nullable ? ' or null' : ''}`);
  return value as string;
}

function names(value: unknown, key: string, nonEmpty: boolean): string[] {
  if (!Array.isArray(value) || (nonEmpty && value.length === 0) || !value.every((item) => typeof item === 'string' && item !== '')) {
    fail(`${key} must be a ${nonEmpty ? 'non-empty ' : ''}list of names`);
  }
  return [...(value as string[])];
}

function numberMap(value: unknown, key: string, current: Readonly<Record<string, number>>, positive: boolean): Record<string, number> {
  if (!isRecord(value)) return fail(`${key} must be an object of numbers`);
  const merged: Record<string, number> = { ...current };
  for (const [name, item] of Object.entries(value)) {
    if (item === null) {
      delete merged[name];
      continue;
    }
    const checked = count(item, `${key}.${name}`, false)!;
    if (positive && checked === 0) fail(`${key}.${name} must be above 0 (null removes it)`);
    merged[name] = checked;
  }
  return merged;
}

function throttleRules(value: unknown, current: Readonly<Record<string, FakeThrottleRule>>): Record<string, FakeThrottleRule> {
  if (!isRecord(value)) return fail('throttles must be an object of rules ({ first?, every? }) by action');
  const merged: Record<string, FakeThrottleRule> = { ...current };
  for (const [action, item] of Object.entries(value)) {
    if (item === null) {
      delete merged[action];
      continue;
    }
    const key = `throttles.${action}`;
    if (!isRecord(item)) return fail(`${key} must be an object ({ first?, every? }) or null`);
    for (const name of Object.keys(item)) if (name !== 'first' && name !== 'every') fail(`unknown key ${key}.${name} (known: first, every)`);
    const positiveInteger = (name: 'first' | 'every', min: number): number | undefined => {
      const n = item[name];
      if (n === undefined) return undefined;
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min) fail(`${key}.${name} must be an integer >= ${min}`);
      return n as number;
    };
    const first = positiveInteger('first', 0);
    const every = positiveInteger('every', 1);
    if (!first && every === undefined) fail(`${key} throttles nothing: give first (>= 1) or every`);
    merged[action] = { ...(first ? { first } : {}), ...(every === undefined ? {} : { every }) };
  }
  return merged;
}

function instanceTypes(value: unknown): FakeInstanceType[] {
  if (!Array.isArray(value) || value.length === 0) fail('instanceTypes must be a non-empty list');
  const types = (value as unknown[]).map((item, index) => {
    if (!isRecord(item)) return fail(`instanceTypes[${index}] must be an object`);
    const positive = (key: string): number => {
      const n = item[key];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) fail(`instanceTypes[${index}].${key} must be an integer >= 1`);
      return n as number;
    };
    const architecture = item.architecture ?? 'x86_64';
    if (architecture !== 'x86_64' && architecture !== 'arm64') fail(`instanceTypes[${index}].architecture must be x86_64 or arm64`);
    const type: FakeInstanceType = {
      name: text(item.name, `instanceTypes[${index}].name`)!,
      vcpus: positive('vcpus'),
      cores: item.cores === undefined ? Math.max(1, Math.floor(positive('vcpus') / 2)) : positive('cores'),
      memoryMiB: positive('memoryMiB'),
      architecture: architecture as 'x86_64' | 'arm64',
      ...(item.hostVcpus === undefined ? {} : { hostVcpus: positive('hostVcpus') }),
    };
    return type;
  });
  if (new Set(types.map((t) => t.name)).size !== types.length) fail('instanceTypes must not repeat a name');
  return types;
}

/**
 * Applies a patch to `current` after checking every field; throws `FakeAwsUsageError` for an
 * unknown key or a bad value. A rate limit of 0 means none. `undefined` fields are skipped.
 */
export function applySettingsPatch(current: FakeAwsSettings, patch: unknown): FakeAwsSettings {
  if (!isRecord(patch)) return fail('the settings must be an object');
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    if (!(KEYS as string[]).includes(key)) fail(`unknown setting ${key} (known: ${KEYS.join(', ')})`);
    switch (key as keyof FakeAwsSettings) {
      case 'region':
      case 'accountId':
        next[key] = text(value, key);
        if (key === 'accountId' && !/^\d{12}$/.test(value as string)) fail('accountId must be 12 digits');
        break;
      case 'zones':
        next[key] = names(value, key, true);
        if (new Set(value as string[]).size !== (value as string[]).length) fail('zones must not repeat a name');
        break;
      case 'unavailableInstanceTypes':
        next[key] = names(value, key, false);
        break;
      case 'bootDelayMs':
      case 'shutdownDelayMs':
      case 'terminatedRetentionMs':
      case 'importDelayMs':
      case 'imageDelayMs':
      case 'hostDelayMs':
      case 'latencyMs':
        next[key] = count(value, key, false);
        break;
      case 'instanceLimit':
      case 'maxActiveImportTasks':
        next[key] = count(value, key, true);
        break;
      case 'seed':
        if (typeof value !== 'number' || !Number.isInteger(value)) fail('seed must be an integer');
        next[key] = value;
        break;
      case 'spotCapacity':
      case 'tagImportResults':
        if (typeof value !== 'boolean') fail(`${key} must be true or false`);
        next[key] = value;
        break;
      case 'publicAddress':
      case 'privateAddress':
        next[key] = text(value, key, true);
        break;
      case 'instanceTypes':
        next[key] = instanceTypes(value);
        break;
      case 'quotas':
        next[key] = numberMap(value, key, current.quotas, false);
        break;
      case 'actionRateLimits':
        next[key] = numberMap(value, key, current.actionRateLimits, true);
        break;
      case 'actionLatencyMs':
        next[key] = numberMap(value, key, current.actionLatencyMs, false);
        break;
      case 'throttles':
        next[key] = throttleRules(value, current.throttles);
        break;
      case 'rateLimits': {
        if (!isRecord(value)) fail('rateLimits must be an object');
        const limits: Record<string, number | null> = { ...current.rateLimits };
        for (const [name, item] of Object.entries(value as Record<string, unknown>)) {
          if (!(name in current.rateLimits)) fail(`unknown rate limit class ${name} (known: ${Object.keys(current.rateLimits).join(', ')})`);
          if (item === undefined) continue;
          const limit = count(item, `rateLimits.${name}`, true);
          limits[name] = limit === 0 ? null : limit;
        }
        next[key] = limits;
        break;
      }
    }
  }
  return next as unknown as FakeAwsSettings;
}

/** A deep copy, so callers cannot change the fake's settings behind its back. */
export function copySettings(settings: FakeAwsSettings): FakeAwsSettings {
  return structuredClone(settings) as FakeAwsSettings;
}
