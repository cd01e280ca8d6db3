import type { ProviderConfig } from '../driver/provider-config.js';
import type { MinReadyWindow } from './min-ready-schedule.js';

export interface ZooKeeperServerConfig {
  readonly host: string;
  /** Default 2281, as in the original. */
  readonly port: number;
  readonly chroot?: string | undefined;
}

export interface LabelConfig {
  readonly name: string;
  /** Ready nodes to keep around; default 0. Outside every `minReadySchedule` window, when there is one. */
  readonly minReady: number;
  /**
   * `min-ready-schedule` (ours, opt-in): windows with their own `min-ready`; absent when not
   * configured. `effectiveMinReady` says which value is in force at a given time.
   */
  readonly minReadySchedule?: readonly MinReadyWindow[];
  /** Seconds a ready node may stay unused before it is deleted; 0 = forever. */
  readonly maxReadyAge: number;
}

export interface DiskImageConfig {
  readonly name: string;
  readonly buildTimeout: number;
  readonly dibCmd: string;
  readonly elements: readonly string[];
  readonly envVars: Readonly<Record<string, string>>;
  readonly formats: readonly string[];
  readonly parent: string | undefined;
  readonly pause: boolean;
  readonly pythonPath: string;
  readonly rebuildAge: number;
  readonly release: string;
  readonly shellType: string | null;
  readonly username: string;
  /**
   * `metadata`: put on every upload of the image (under the provider's own). Never inherited
   * from a parent: the original keeps only the image's own entry.
   */
  readonly metadata: Readonly<Record<string, unknown>>;
}

export interface TenantResourceLimit {
  readonly tenantName: string;
  readonly maxCores: number;
  readonly maxRam: number;
  readonly maxServers: number;
  /**
   * Limits of any other resource, by the name providers count it under: `max-volumes` as
   * `volumes`, `max-volume-gb` as `volume-gb`, anything else (a quota code such as
   * `L-43DA4232`, a custom `mygpu`) as written.
   */
  readonly resources: Readonly<Record<string, number>>;
}

/** A loaded nodepool.yaml (with the secure file applied), defaults filled in. */
export interface NodepoolConfig {
  readonly file: string;
  readonly webapp: { readonly port: number; readonly listenAddress: string };
  readonly elementsDir: string | undefined;
  readonly imagesDir: string | undefined;
  readonly buildLogDir: string | undefined;
  /** Days; default 7. */
  readonly buildLogRetention: number;
  /** Seconds a held node may live; Infinity when not set (or ≤ 0). */
  readonly maxHoldAge: number;
  readonly zookeeperServers: readonly ZooKeeperServerConfig[];
  readonly zookeeperTls: { readonly cert?: string; readonly key?: string; readonly ca?: string } | undefined;
  /** Seconds; default 10. */
  readonly zookeeperTimeout: number;
  readonly labels: ReadonlyMap<string, LabelConfig>;
  /** Non-abstract diskimages, with inheritance applied. */
  readonly diskimages: ReadonlyMap<string, DiskImageConfig>;
  readonly tenantResourceLimits: ReadonlyMap<string, TenantResourceLimit>;
  readonly providers: ReadonlyMap<string, ProviderConfig>;
}
