import type { Logger } from '@nodepool/core';
import type { ResourceApi } from './client/resource-api.js';
import type { ResourceGroup, ResourceGroupReference } from './client/vpc-models.js';

/**
 * The account's resource groups by name, read once and kept; groups Nodepool needs are created
 * when missing. Looked up by the references VPC resources carry: by name, or by ID where the API
 * leaves the name out (image listings).
 */
export class ResourceGroups {
  private readonly byName = new Map<string, ResourceGroup>();
  private lastRefresh = -Infinity;

  constructor(
    private readonly api: ResourceApi,
    private readonly log: Logger,
    /** An unknown group makes the list be read again at most this often. Default 60 s. */
    private readonly refreshIntervalMs = 60_000,
  ) {}

  /** Reads every group. */
  async refresh(): Promise<void> {
    this.lastRefresh = Date.now();
    for (const group of await this.api.listResourceGroups()) {
      if (group.name === undefined) continue;
      this.log.debug('found resource group', { name: group.name });
      this.byName.set(group.name, group);
    }
  }

  get(name: string): ResourceGroup | undefined {
    return this.byName.get(name);
  }

  /** Whether the account has a group named `name`; an unknown name reads the list again, at most once a minute. */
  async exists(name: string): Promise<boolean> {
    if (this.byName.has(name)) return true;
    if (Date.now() - this.lastRefresh >= this.refreshIntervalMs) await this.refresh();
    return this.byName.has(name);
  }

  /** The group named `name`, created if the account has none. */
  async ensure(name: string): Promise<ResourceGroup> {
    const known = this.byName.get(name);
    if (known) return known;
    this.log.info(`Creating resource group ${name}`);
    const created = await this.api.createResourceGroup(name);
    this.byName.set(name, created);
    return created;
  }

  /**
   * The name of the group a reference points at; undefined for a group this account does not
   * list (another account's, as public images have). An unknown ID reads the list again, at most
   * once a minute.
   */
  async nameOf(reference: ResourceGroupReference): Promise<string | undefined> {
    if (reference.name !== undefined) return reference.name;
    const byId = (): string | undefined => [...this.byName.values()].find((group) => group.id === reference.id)?.name;
    const found = byId();
    if (found !== undefined || Date.now() - this.lastRefresh < this.refreshIntervalMs) return found;
    await this.refresh();
    return byId();
  }
}
