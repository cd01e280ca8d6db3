import { settingChecks } from '@nodepool/core/testing';
/** An instance profile the fake offers: vCPUs and memory (GiB). */
export interface FakeProfile {
  readonly name: string;
  readonly vcpu: number;
  /** GiB. */
  readonly memory: number;
  readonly family: string;
}

/** What a fake IBM Cloud does; every field can be changed while it runs (`configure`). */
export interface FakeIbmVpcSettings {
  /** The region the VPC API serves. */
  readonly region: string;
  /** Its zones. */
  readonly zones: readonly string[];
  /** How long an IAM access token lives. */
  readonly tokenTtlMs: number;
  /** How long an instance stays `pending` before `running`; 0: running at the first look after creating it. */
  readonly bootDelayMs: number;
  /** How long a deleted instance stays `deleting` before it is gone. */
  readonly deleteDelayMs: number;
  /** How long a floating IP stays `pending` before `available`. */
  readonly floatingIpDelayMs: number;
  /** How long a custom image stays `pending` before `available`. */
  readonly imageDelayMs: number;
  /** Added to every call. */
  readonly latencyMs: number;
  /** Added to calls of an operation (`vpc.POST.instances`), on top of `latencyMs`. */
  readonly operationLatencyMs: Readonly<Record<string, number>>;
  /** The largest page a listing answers (the VPC API's is 100). */
  readonly maxPageSize: number;
  /** Every instance's private address is this one (127.0.0.1 for key scans); null: one of its subnet. */
  readonly privateAddress: string | null;
  /** Every floating IP is this address; null: one of a public range. */
  readonly floatingAddress: string | null;
  /** The location constraint Cloud Object Storage gives every bucket. */
  readonly bucketLocation: string;
  readonly profiles: readonly FakeProfile[];
}

/** Thrown for a bad option or control-API request. */
export class FakeIbmVpcUsageError extends Error {
  override readonly name = 'FakeIbmVpcUsageError';
}

export const DEFAULT_PROFILES: readonly FakeProfile[] = [
  { name: 'cx2-2x4', vcpu: 2, memory: 4, family: 'compute' },
  { name: 'bx2-2x8', vcpu: 2, memory: 8, family: 'balanced' },
  { name: 'bx2-4x16', vcpu: 4, memory: 16, family: 'balanced' },
  { name: 'cx2-8x16', vcpu: 8, memory: 16, family: 'compute' },
];

export const DEFAULT_SETTINGS: FakeIbmVpcSettings = {
  region: 'us-south',
  zones: ['us-south-1', 'us-south-2', 'us-south-3'],
  tokenTtlMs: 3_600_000,
  bootDelayMs: 0,
  deleteDelayMs: 0,
  floatingIpDelayMs: 0,
  imageDelayMs: 0,
  latencyMs: 0,
  operationLatencyMs: {},
  maxPageSize: 100,
  privateAddress: null,
  floatingAddress: null,
  bucketLocation: 'us-south-smart',
  profiles: DEFAULT_PROFILES,
};

/** A patch of the settings; `null` in `operationLatencyMs` removes an operation's latency. */
export type FakeIbmVpcSettingsPatch = { readonly [K in keyof FakeIbmVpcSettings]?: K extends 'operationLatencyMs' ? Readonly<Record<string, number | null>> : FakeIbmVpcSettings[K] };

const checks = settingChecks(FakeIbmVpcUsageError);
// Annotated, so TypeScript knows the code after a failed check is not reached.
const fail: (message: string) => never = checks.fail;
const { count, entries, ipv4OrNull, latencies } = checks;

function profiles(value: unknown): FakeProfile[] {
  if (!Array.isArray(value) || value.length === 0) fail('profiles must be a non-empty list');
  return value.map((item: unknown, index) => {
    const entry = item as Record<string, unknown>;
    if (entry === null || typeof entry !== 'object' || typeof entry.name !== 'string' || entry.name === '') fail(`profiles[${index}].name must be a non-empty string`);
    return { name: entry.name, vcpu: count(entry.vcpu, `profiles[${index}].vcpu`, 1), memory: count(entry.memory, `profiles[${index}].memory`, 1), family: typeof entry.family === 'string' ? entry.family : 'balanced' };
  });
}

/** Applies a patch after checking every field; throws FakeIbmVpcUsageError for a bad one. */
export function applySettingsPatch(current: FakeIbmVpcSettings, patch: unknown): FakeIbmVpcSettings {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of entries(patch, Object.keys(DEFAULT_SETTINGS))) {
    switch (key as keyof FakeIbmVpcSettings) {
      case 'region':
      case 'bucketLocation':
        if (typeof value !== 'string' || value === '') fail(`${key} must be a non-empty string`);
        next[key] = value;
        break;
      case 'zones':
        if (!Array.isArray(value) || value.length === 0 || value.some((zone) => typeof zone !== 'string' || zone === '')) fail('zones must be a non-empty list of names');
        next[key] = [...(value as string[])];
        break;
      case 'tokenTtlMs':
        next[key] = count(value, key, 1_000);
        break;
      case 'maxPageSize':
        next[key] = count(value, key, 1);
        break;
      case 'bootDelayMs':
      case 'deleteDelayMs':
      case 'floatingIpDelayMs':
      case 'imageDelayMs':
      case 'latencyMs':
        next[key] = count(value, key);
        break;
      case 'privateAddress':
      case 'floatingAddress':
        next[key] = ipv4OrNull(value, key);
        break;
      case 'profiles':
        next[key] = profiles(value);
        break;
      case 'operationLatencyMs':
        next[key] = latencies(current.operationLatencyMs, value, key);
        break;
    }
  }
  return next as unknown as FakeIbmVpcSettings;
}
