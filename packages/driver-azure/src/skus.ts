import { QuotaInformation } from '@nodepool/core';
import type { AzureClient, ResourceSku } from './client.js';

/** What one VM of a SKU uses, as 9.0.0 reads it: vCPUs, `MemoryGB` in MiB, one instance. */
export function skuQuota(sku: ResourceSku | undefined): QuotaInformation {
  if (!sku) return new QuotaInformation({ instances: 1 });
  const capability = (name: string) => sku.capabilities?.find((each) => each.name === name)?.value;
  const cores = capability('vCPUs');
  const memory = capability('MemoryGB');
  return new QuotaInformation({
    ...(cores === undefined ? {} : { cores: Number.parseInt(cores, 10) }),
    ...(memory === undefined ? {} : { ram: Math.trunc(Number.parseFloat(memory) * 1024) }),
    instances: 1,
  });
}

/**
 * The compute SKUs of the provider's location, by size name, read once (9.0.0 reads them when
 * the adapter starts); a failed read is tried again on the next use.
 */
export class SkuCatalog {
  private skus: Promise<Map<string, ResourceSku>> | undefined;
  private known = new Map<string, ResourceSku>();

  constructor(
    private readonly client: Pick<AzureClient, 'listSkus'>,
    private readonly location: string,
  ) {}

  async quota(size: string): Promise<QuotaInformation> {
    return skuQuota((await this.load()).get(size.toLowerCase()));
  }

  /** The quota of a size if the SKUs were read, without a call. */
  peek(size: string): QuotaInformation {
    return skuQuota(this.known.get(size.toLowerCase()));
  }

  load(): Promise<Map<string, ResourceSku>> {
    this.skus ??= this.client.listSkus(this.location).then(
      (skus) => {
        const map = new Map<string, ResourceSku>();
        for (const sku of skus) if (sku.resourceType === 'virtualMachines' && sku.name) map.set(sku.name.toLowerCase(), sku);
        this.known = map;
        return map;
      },
      (error: unknown) => {
        this.skus = undefined;
        throw error;
      },
    );
    return this.skus;
  }
}
