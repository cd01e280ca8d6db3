import type { SimCloudSettings, SimCreateImageRequest, SimFlavor } from './api-types.js';

/** The flavors a simulated cloud offers unless told otherwise (RAM in MiB). */
export const DEFAULT_FLAVORS: readonly SimFlavor[] = [
  { name: 'small', cores: 1, ram: 1024 },
  { name: 'medium', cores: 2, ram: 4096 },
  { name: 'large', cores: 4, ram: 8192 },
];

/** The image every simulated cloud starts with, so a cloud image needs no upload. */
export const DEFAULT_IMAGES: readonly SimCreateImageRequest[] = [{ id: 'img-sim-base', name: 'sim-base', format: 'raw' }];

/** What a simulated cloud starts with: instant boots, no failures, no limits. */
export const DEFAULT_SETTINGS: SimCloudSettings = {
  bootDelayMs: 0,
  deleteDelayMs: 0,
  failureRate: 0,
  seed: 1,
  rateLimit: null,
  throttles: {},
  maxInstances: null,
  maxCores: null,
  maxRam: null,
  address: '127.0.0.1',
  privateAddress: null,
  sshPort: 22,
  region: 'sim',
  zones: ['sim-a', 'sim-b'],
  flavors: DEFAULT_FLAVORS,
  holdUploads: false,
};

/** Options of `startSimCloud`: any setting, plus where to listen and what to start with. */
export interface SimCloudOptions extends Partial<SimCloudSettings> {
  /** Default `127.0.0.1`. */
  readonly host?: string;
  /** Default 0: a free port. */
  readonly port?: number;
  /** Images present from the start (and after a reset); default `DEFAULT_IMAGES`. */
  readonly images?: readonly SimCreateImageRequest[];
  /**
   * The clock boots, deletions and the throttle run on, in milliseconds; default `Date.now`.
   * A test can pass a fake one and move it forward instead of waiting.
   */
  readonly now?: () => number;
}
