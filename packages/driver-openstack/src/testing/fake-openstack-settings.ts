import { settingChecks } from '@nodepool/core/testing';
/** A flavor the fake's Nova offers. */
export interface FakeFlavor {
  readonly id: string;
  readonly name: string;
  readonly vcpus: number;
  /** MiB. */
  readonly ram: number;
  /** GiB of root disk. */
  readonly disk: number;
}

/**
 * Project quotas the fake enforces and reports (Nova's and Cinder's `/limits`, Neutron's
 * floating IPs and ports); -1 is unlimited, as in OpenStack.
 */
export interface FakeQuotas {
  readonly instances: number;
  readonly cores: number;
  /** MiB. */
  readonly ram: number;
  readonly volumes: number;
  /** GiB over all volumes. */
  readonly gigabytes: number;
  readonly floatingips: number;
  readonly ports: number;
}

/** What a fake OpenStack does; every field can be changed while it runs (`configure`). */
export interface FakeOpenStackSettings {
  /** Regions of the catalog; the first is the default. All share one state. */
  readonly regions: readonly string[];
  /** Nova availability zones (all available). */
  readonly zones: readonly string[];
  /** How long a token lives. */
  readonly tokenTtlMs: number;
  /** How long a server stays `BUILD` before `ACTIVE`; 0: active at the first look after creating it. */
  readonly bootDelayMs: number;
  /** How long a deleted server stays listed (task state `deleting`) before it is gone. */
  readonly deleteDelayMs: number;
  /** How long a volume stays `creating`. */
  readonly volumeDelayMs: number;
  /** How long an uploaded image stays `saving` before `active`. */
  readonly imageDelayMs: number;
  /** How long an associated floating IP stays `DOWN` before `ACTIVE` (and shows in the server's addresses). */
  readonly floatingIpDelayMs: number;
  /** The newest compute microversion (the oldest is 2.1). */
  readonly computeMaxMicroversion: string;
  /** The newest block-storage microversion (the oldest is 3.0). */
  readonly volumeMaxMicroversion: string;
  /** A patch is merged. */
  readonly quotas: FakeQuotas;
  readonly flavors: readonly FakeFlavor[];
  /** Every fixed IPv4 address on a tenant network is this one (e.g. 127.0.0.1 for key scans); null: one each. */
  readonly fixedAddress: string | null;
  /** Every floating IP is this address; null: one each from the external subnet. */
  readonly floatingAddress: string | null;
  /** What `os-getConsoleOutput` answers for every server. */
  readonly consoleOutput: string;
  /** Added to every API call before it is answered. */
  readonly latencyMs: number;
  /** Added on top of `latencyMs` for single operations (by `apiCallName`). A patch is merged; null removes. */
  readonly operationLatencyMs: Readonly<Record<string, number>>;
  /** Nova's `max_limit`: the most servers (or flavors) one listing page holds. */
  readonly maxPageSize: number;
}

/** A change to the settings: any field; `quotas` and `operationLatencyMs` are merged. */
export interface FakeOpenStackSettingsPatch extends Partial<Omit<FakeOpenStackSettings, 'quotas' | 'operationLatencyMs'>> {
  readonly quotas?: Partial<FakeQuotas>;
  readonly operationLatencyMs?: Readonly<Record<string, number | null>>;
}

/** m1.* as DevStack defines them, plus ds* for small test clouds. */
export const DEFAULT_FLAVORS: readonly FakeFlavor[] = [
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: '4', name: 'm1.large', vcpus: 4, ram: 8192, disk: 80 },
  { id: '5', name: 'm1.xlarge', vcpus: 8, ram: 16384, disk: 160 },
  { id: 'd1', name: 'ds1G', vcpus: 1, ram: 1024, disk: 10 },
  { id: 'd2', name: 'ds2G', vcpus: 2, ram: 2048, disk: 10 },
  { id: 'd4', name: 'ds4G', vcpus: 4, ram: 4096, disk: 20 },
];

/** What a fake OpenStack starts with: instant transitions, generous quotas. */
export const DEFAULT_SETTINGS: FakeOpenStackSettings = {
  regions: ['RegionOne'],
  zones: ['nova'],
  tokenTtlMs: 3_600_000,
  bootDelayMs: 0,
  deleteDelayMs: 0,
  volumeDelayMs: 0,
  imageDelayMs: 0,
  floatingIpDelayMs: 0,
  computeMaxMicroversion: '2.95',
  volumeMaxMicroversion: '3.70',
  quotas: { instances: 100, cores: 400, ram: 1_048_576, volumes: 100, gigabytes: 10_000, floatingips: 100, ports: 500 },
  flavors: DEFAULT_FLAVORS,
  fixedAddress: null,
  floatingAddress: null,
  consoleOutput: 'Booting the fake kernel\nfake login:',
  latencyMs: 0,
  operationLatencyMs: {},
  maxPageSize: 1000,
};

/** A bad settings patch or control request: the control API answers it with HTTP 400. */
export class FakeOpenStackUsageError extends TypeError {
  override readonly name = 'FakeOpenStackUsageError';
}

const checks = settingChecks(FakeOpenStackUsageError);
// Annotated, so TypeScript knows the code after a failed check is not reached.
const fail: (message: string) => never = checks.fail;
const { isRecord, count, entries, ipv4OrNull, latencies } = checks;

function names(value: unknown, key: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((item) => typeof item === 'string' && item !== '')) fail(`${key} must be a non-empty list of names`);
  if (new Set(value as string[]).size !== (value as string[]).length) fail(`${key} must not repeat a name`);
  return [...(value as string[])];
}

function microversion(value: unknown, key: string, major: number): string {
  if (typeof value !== 'string' || !new RegExp(`^${major}\\.\\d+$`).test(value)) fail(`${key} must look like ${major}.N`);
  return value as string;
}

function flavors(value: unknown): FakeFlavor[] {
  if (!Array.isArray(value) || value.length === 0) fail('flavors must be a non-empty list');
  const list = (value as unknown[]).map((item, index) => {
    if (!isRecord(item)) return fail(`flavors[${index}] must be an object`);
    const text = (key: string): string => {
      if (typeof item[key] !== 'string' || item[key] === '') fail(`flavors[${index}].${key} must be a non-empty string`);
      return item[key] as string;
    };
    const whole = (key: string, min: number): number => {
      const n = item[key];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < min) fail(`flavors[${index}].${key} must be an integer >= ${min}`);
      return n as number;
    };
    return { id: text('id'), name: text('name'), vcpus: whole('vcpus', 1), ram: whole('ram', 1), disk: whole('disk', 0) };
  });
  if (new Set(list.map((flavor) => flavor.id)).size !== list.length) fail('flavors must not repeat an id');
  return list;
}

const KEYS = Object.keys(DEFAULT_SETTINGS) as (keyof FakeOpenStackSettings)[];

/**
 * Applies a patch to `current` after checking every field; throws `FakeOpenStackUsageError` for
 * an unknown key or a bad value. `undefined` fields are skipped.
 */
export function applySettingsPatch(current: FakeOpenStackSettings, patch: unknown): FakeOpenStackSettings {
  const next: Record<string, unknown> = { ...current };
  for (const [key, value] of entries(patch, KEYS)) {
    switch (key as keyof FakeOpenStackSettings) {
      case 'regions':
      case 'zones':
        next[key] = names(value, key);
        break;
      case 'tokenTtlMs':
      case 'maxPageSize':
        next[key] = count(value, key, 1);
        break;
      case 'bootDelayMs':
      case 'deleteDelayMs':
      case 'volumeDelayMs':
      case 'imageDelayMs':
      case 'floatingIpDelayMs':
      case 'latencyMs':
        next[key] = count(value, key);
        break;
      case 'computeMaxMicroversion':
        next[key] = microversion(value, key, 2);
        break;
      case 'volumeMaxMicroversion':
        next[key] = microversion(value, key, 3);
        break;
      case 'fixedAddress':
      case 'floatingAddress':
        next[key] = ipv4OrNull(value, key);
        break;
      case 'consoleOutput':
        if (typeof value !== 'string') fail('consoleOutput must be a string');
        next[key] = value;
        break;
      case 'flavors':
        next[key] = flavors(value);
        break;
      case 'quotas': {
        if (!isRecord(value)) fail('quotas must be an object');
        const quotas: Record<string, number> = { ...current.quotas };
        for (const [name, amount] of Object.entries(value as Record<string, unknown>)) {
          if (!(name in current.quotas)) fail(`unknown quota ${name} (known: ${Object.keys(current.quotas).join(', ')})`);
          if (amount === undefined) continue;
          if (amount !== -1) count(amount, `quotas.${name}`);
          quotas[name] = amount as number;
        }
        next[key] = quotas;
        break;
      }
      case 'operationLatencyMs':
        next[key] = latencies(current.operationLatencyMs, value, key);
        break;
    }
  }
  return next as unknown as FakeOpenStackSettings;
}
