import type { NodepoolConfig } from '../config/nodepool-config.js';
import type { Provider } from '../driver/provider.js';
import type { Logger } from '../log.js';
import type { Stats } from '../stats/stats.js';
import type { ImageStore } from './image-store.js';

/** Intervals of the builder's workers (the original's 10 s / 10 s / 60 s); tests shorten them. */
export interface BuilderTimings {
  buildIntervalMs: number;
  uploadIntervalMs: number;
  cleanupIntervalMs: number;
}

export const DEFAULT_BUILDER_TIMINGS: BuilderTimings = {
  buildIntervalMs: 10_000,
  uploadIntervalMs: 10_000,
  cleanupIntervalMs: 60_000,
};

/** What every worker of one builder shares. */
export interface BuilderContext {
  /** Host name written into build records (`builder`) and the component record. */
  readonly hostname: string;
  /** The persistent ID of `<images-dir>/builder_id.txt`. */
  readonly builderId: string;
  readonly store: ImageStore;
  readonly stats: Stats;
  readonly log: Logger;
  /** The configuration in force (a reload replaces it; a bad file keeps the old one). */
  config(): NodepoolConfig;
  /** The provider runtime for uploads and image deletion, undefined if its driver has none. */
  provider(name: string): Provider | undefined;
  /** Seconds since the epoch: rebuild ages are judged on it (a fake clock in tests). */
  now(): number;
  /** Aborted when the builder stops. */
  readonly stopping: AbortSignal;
  /** The environment builds start from; default `process.env`. */
  readonly env: NodeJS.ProcessEnv;
}
