import { QuotaInformation } from '@nodepool/core';
import type { CinderLimits } from './client/cinder.js';
import type { NovaLimits } from './client/nova.js';

/** A flavor's figures, as Nova lists them or embeds them in a server. */
export interface FlavorFigures {
  readonly vcpus: number;
  /** MiB. */
  readonly ram: number;
}

/**
 * What one server uses: one instance, its flavor's cores and RAM, and — booted from a volume —
 * one volume of the label's size (a listed server: its attached volumes' count and sizes), as
 * Nodepool counts them (`volumes`, `volume-gb`).
 */
export function quotaFromFlavor(flavor: FlavorFigures, boot: { volumeSize: number } | null, volumeSizes: readonly number[] = []): QuotaInformation {
  const resources: Record<string, number> = { instances: 1, cores: flavor.vcpus, ram: flavor.ram };
  if (boot) {
    resources.volumes = 1;
    resources['volume-gb'] = boot.volumeSize;
  } else if (volumeSizes.length > 0) {
    resources.volumes = volumeSizes.length;
    resources['volume-gb'] = volumeSizes.reduce((sum, size) => sum + size, 0);
  }
  return new QuotaInformation(resources);
}

/** The project's limits: Nova's instances, cores and RAM, and Cinder's volumes and GiB when it has Cinder; -1 is unlimited. */
export function quotaFromLimits(compute: NovaLimits, volume: CinderLimits | null): QuotaInformation {
  const bound = (value: number): number => (value === -1 ? Infinity : value);
  const resources: Record<string, number> = {
    instances: bound(compute.maxTotalInstances),
    cores: bound(compute.maxTotalCores),
    ram: bound(compute.maxTotalRAMSize),
  };
  if (volume) {
    resources.volumes = bound(volume.maxTotalVolumes);
    resources['volume-gb'] = bound(volume.maxTotalVolumeGigabytes);
  }
  // Anything else is unlimited.
  return new QuotaInformation(resources, Infinity);
}
