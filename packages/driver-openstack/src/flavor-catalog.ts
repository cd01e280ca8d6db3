import { TtlCache } from '@nodepool/core';
import type { Nova, NovaFlavor } from './client/nova.js';

/**
 * The cloud's flavors, listed once (and again after Nova refused a launch with 400, which may
 * mean they changed), and the choice of a label's flavor as Nodepool makes it: flavors in order
 * of RAM, then name; with `min-ram`, the first with at least that much RAM whose name contains
 * `flavor-name` (if given); without, the one whose name or ID is `flavor-name`.
 */
export class FlavorCatalog {
  private readonly flavors: TtlCache<NovaFlavor[]>;

  constructor(nova: Pick<Nova, 'listFlavors'>, ttlMs = 24 * 3600_000) {
    this.flavors = new TtlCache(async () => sortFlavors(await nova.listFlavors()), ttlMs);
  }

  async find(label: { readonly flavorName: string | null; readonly minRam: number; readonly name: string }): Promise<NovaFlavor> {
    return pickFlavor(await this.flavors.get(), label);
  }

  async byId(id: string): Promise<NovaFlavor | undefined> {
    return (await this.flavors.get()).find((flavor) => flavor.id === id);
  }

  /** The last listing, without a call (undefined before the first). */
  peekById(id: string): NovaFlavor | undefined {
    return this.flavors.peek()?.find((flavor) => flavor.id === id);
  }

  invalidate(): void {
    this.flavors.invalidate();
  }
}

/** By RAM, then name, as the original sorts them. */
export function sortFlavors(flavors: readonly NovaFlavor[]): NovaFlavor[] {
  return [...flavors].sort((a, b) => a.ram - b.ram || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
}

/** The flavor a label boots with, from flavors sorted by `sortFlavors`. */
export function pickFlavor(flavors: readonly NovaFlavor[], label: { readonly flavorName: string | null; readonly minRam: number; readonly name: string }): NovaFlavor {
  const { flavorName, minRam } = label;
  if (minRam) {
    const found = flavors.find((flavor) => flavor.ram >= minRam && (!flavorName || flavor.name.includes(flavorName)));
    if (!found) throw new Error(`Unable to find flavor with min ram: ${minRam}${flavorName ? ` and a name containing ${flavorName}` : ''} (label ${label.name})`);
    return found;
  }
  const found = flavors.find((flavor) => flavorName === flavor.name || flavorName === flavor.id);
  if (!found) throw new Error(`Unable to find flavor: ${flavorName ?? ''} (label ${label.name})`);
  return found;
}
