import { NotFoundError, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import type { VpcApi } from './client/vpc-api.js';
import type { FloatingIpSnapshot } from './floating-ips.js';
import { isIbmVpcInstanceView } from './instance.js';

export type IbmVpcDeleteState = 'start' | 'deleting fip' | 'deleting vm' | 'complete';

export interface IbmVpcDeleteStateMachineOptions {
  readonly vpcApi: () => Promise<VpcApi>;
  readonly floatingIps: FloatingIpSnapshot;
  readonly instances: InstanceListing;
  readonly log: Logger;
}

/**
 * Deletes one node's resources by its name, as Nodepool 9.0.0 does: the floating IP of that
 * name (released, whether bound or not), then the instance of that name (its boot volume goes
 * with it), then waits until the shared listing no longer shows it. A name with nothing behind
 * it is done.
 */
export class IbmVpcDeleteStateMachine implements StateMachine<void> {
  state: IbmVpcDeleteState = 'start';

  constructor(
    readonly externalId: string,
    private readonly options: IbmVpcDeleteStateMachineOptions,
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    const { log, instances } = this.options;
    if (this.state === 'start') {
      const fip = (await this.options.floatingIps.fresh(instances)).find((candidate) => candidate.name === this.externalId);
      if (fip) {
        log.debug(`Deleting floating IP address ${this.externalId}`);
        await ignoreNotFound((await this.options.vpcApi()).deleteFloatingIp(fip.id));
      }
      this.state = 'deleting fip';
    }

    if (this.state === 'deleting fip') {
      // Differs from Nodepool: the release is accepted (204) once the call returns; 9.0.0 also waits for a listing without it.
      const view = await instances.get(this.externalId);
      if (!isIbmVpcInstanceView(view)) {
        log.warn(`VM not found when deleting ${this.externalId}`);
        this.state = 'complete';
        return;
      }
      if (view.status !== 'deleting') {
        log.debug(`Deleting VM ${this.externalId}`);
        await ignoreNotFound((await this.options.vpcApi()).deleteInstance(view.instanceId));
      }
      this.state = 'deleting vm';
    }

    if (this.state === 'deleting vm') {
      const view = await instances.get(this.externalId);
      if (!view) this.state = 'complete';
    }
  }
}

async function ignoreNotFound(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (error) {
    if (!(error instanceof NotFoundError)) throw error;
  }
}
