import { setTimeout as sleep } from 'node:timers/promises';
import { NotFoundError, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import { HostBusyError, type DedicatedHosts } from './dedicated-hosts.js';
import { isAwsInstanceView } from './instance.js';
import type { TerminateBatcher } from './terminate-batcher.js';

export type AwsDeleteState = 'start' | 'terminating instance' | 'waiting for termination' | 'releasing host' | 'complete';

export interface AwsDeleteStateMachineOptions {
  readonly terminator: Pick<TerminateBatcher, 'terminate'>;
  readonly hosts: Pick<DedicatedHosts, 'release'>;
  /** Whether any label uses dedicated hosts: only then is the instance's host looked up. */
  readonly dedicatedHosts: boolean;
  readonly instances: InstanceListing;
  readonly log: Logger;
}

/**
 * Deletes one node's resources: terminates the instance (batched with other deletions, as the
 * original does), waits until the shared listing shows it terminated or no longer lists it,
 * then releases its dedicated host, if Nodepool allocated one for it. An `externalId` naming a
 * host (`h-…`) is a launch that never got as far as an instance: only the host is released.
 * Volumes go with the instance (they are made with DeleteOnTermination).
 */
export class AwsDeleteStateMachine implements StateMachine<void> {
  state: AwsDeleteState = 'start';
  private hostId: string | undefined;

  constructor(
    readonly externalId: string,
    private readonly options: AwsDeleteStateMachineOptions,
  ) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<void> {
    const { log } = this.options;
    if (this.state === 'start') {
      if (this.externalId.startsWith('h-')) {
        this.hostId = this.externalId;
        this.state = 'releasing host';
      } else {
        if (this.options.dedicatedHosts) {
          const instance = await this.options.instances.get(this.externalId);
          const hostId = isAwsInstanceView(instance) ? instance.hostId : null;
          // Only a host allocated for this very node: one shared with others stays.
          if (hostId && instance?.metadata.nodepool_node_id !== undefined) this.hostId = hostId;
        }
        this.state = 'terminating instance';
      }
    }

    if (this.state === 'terminating instance') {
      try {
        await this.options.terminator.terminate(this.externalId);
        this.state = 'waiting for termination';
      } catch (error) {
        if (!(error instanceof NotFoundError)) throw error;
        log.debug('EC2 instance already gone', { externalId: this.externalId });
        this.state = this.hostId ? 'releasing host' : 'complete';
      }
    }

    if (this.state === 'waiting for termination') {
      const instance = await this.options.instances.get(this.externalId);
      const gone = !instance || (isAwsInstanceView(instance) ? instance.state === 'terminated' : instance.deleted === true);
      if (gone) this.state = this.hostId ? 'releasing host' : 'complete';
    }

    if (this.state === 'releasing host') {
      try {
        await this.options.hosts.release(this.hostId!);
        log.debug('dedicated host released', { hostId: this.hostId });
        this.state = 'complete';
      } catch (error) {
        if (error instanceof NotFoundError) this.state = 'complete';
        else if (error instanceof HostBusyError) await sleep(1_000);
        else throw error;
      }
    }
  }
}
