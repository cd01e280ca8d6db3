import { NotFoundError, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import type { GceClient } from './client.js';
import { isGceInstanceView } from './instance.js';

export type GceDeleteState = 'start' | 'deleting instance' | 'complete';

/**
 * Deletes one instance (its boot disk goes with it: auto-delete), then waits until the kit's
 * shared listing no longer shows it, or shows it TERMINATED, as 9.0.0 does. An instance already
 * gone counts as deleted.
 */
export class GceDeleteStateMachine implements StateMachine<void> {
  state: GceDeleteState = 'start';

  constructor(
    readonly externalId: string,
    private readonly options: { client: Pick<GceClient, 'deleteInstance'>; instances: InstanceListing; log: Logger },
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    if (this.state === 'start') {
      try {
        await this.options.client.deleteInstance(this.externalId);
        this.state = 'deleting instance';
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        this.options.log.debug('GCE instance already gone', { externalId: this.externalId });
        this.state = 'complete';
      }
    }

    if (this.state === 'deleting instance') {
      const instance = await this.options.instances.get(this.externalId);
      if (!instance || (isGceInstanceView(instance) ? instance.status === 'TERMINATED' : instance.deleted === true)) this.state = 'complete';
    }
  }
}
