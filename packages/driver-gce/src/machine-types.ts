import { QuotaInformation } from '@nodepool/core';
import type { GceClient } from './client.js';

/**
 * Machine types by name, each read once (`machineTypes.get`) for the adapter's life, as 9.0.0
 * caches them: what an instance of the type uses (cores, one instance, RAM) and its URL.
 */
export class MachineTypeCatalog {
  private readonly types = new Map<string, Promise<{ selfLink: string; quota: QuotaInformation }>>();
  private readonly known = new Map<string, QuotaInformation>();

  constructor(private readonly client: Pick<GceClient, 'getMachineType'>) {}

  get(name: string): Promise<{ selfLink: string; quota: QuotaInformation }> {
    let entry = this.types.get(name);
    if (!entry) {
      entry = this.client.getMachineType(name).then((type) => {
        const quota = new QuotaInformation({ cores: Number(type.guestCpus ?? 0), instances: 1, ram: Number(type.memoryMb ?? 0) });
        this.known.set(name, quota);
        return { selfLink: type.selfLink ?? `zones/${type.zone ?? ''}/machineTypes/${name}`, quota };
      });
      // A failed read is tried again next time.
      entry.catch(() => this.types.delete(name));
      this.types.set(name, entry);
    }
    return entry;
  }

  /** The quota of a type read before, without a call. */
  peek(name: string): QuotaInformation | undefined {
    return this.known.get(name);
  }

  /** Reads the types not known yet (the listing's), so `peek` has them. */
  async load(names: Iterable<string>): Promise<void> {
    for (const name of new Set(names)) {
      if (this.known.has(name) || !name) continue;
      try {
        this.known.set(name, (await this.get(name)).quota);
      } catch {
        // Someone else's instance of a type we cannot read: counted as one instance.
      }
    }
  }
}
