import { QuotaInformation } from '@nodepool/core';
import type { PodLabelSettings } from './config/index.js';

/**
 * What one node of a label uses, as 9.0.0's `quotaNeededByLabel` counts it and writes it to the
 * node's `resources`: `cores` (the cpu request), `instances` 1, `ram` (MiB), then
 * `ephemeral-storage` (MB), the GPU resource and the label's extra resources. Cores and RAM are
 * always there (0 when the label requests none), as Zuul sums them.
 */
export function labelQuota(settings: PodLabelSettings): QuotaInformation {
  const others: Record<string, number> = {};
  if (settings.storage) others['ephemeral-storage'] = settings.storage;
  if (settings.gpu && settings.gpuResource) {
    // Differs from Nodepool: openshiftpods' string gpu breaks 9.0.0's quota sums; here a numeric one counts.
    const gpu = typeof settings.gpu === 'number' ? settings.gpu : Number(settings.gpu);
    if (Number.isFinite(gpu)) others[settings.gpuResource] = gpu;
  }
  Object.assign(others, settings.extraResources);
  const { cores, ram, instances: _instances, ...rest } = others;
  return new QuotaInformation({ cores: cores ?? (settings.cpu || 0), instances: 1, ram: ram ?? (settings.memory || 0), ...rest });
}
