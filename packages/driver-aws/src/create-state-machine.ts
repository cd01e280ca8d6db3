import { randomUUID } from 'node:crypto';
import type { Image } from '@aws-sdk/client-ec2';
import { LaunchStatusError, type Instance, type InstanceListing, type Logger, type QuotaInformation, type StateMachine } from '@nodepool/core';
import { AwsCapacityError } from './aws-errors.js';
import type { AwsClient } from './client.js';
import type { AwsLabelConfig, AwsPoolConfig } from './config.js';
import type { DedicatedHosts } from './dedicated-hosts.js';
import { isAwsInstanceView, withQuota } from './instance.js';
import { runInstancesInput } from './launch-request.js';
import type { Market } from './quota.js';

export type AwsCreateState = 'start' | 'allocating host' | 'waiting for host' | 'creating instance' | 'waiting for instance' | 'complete';

export interface AwsCreateStateMachineOptions {
  readonly client: Pick<AwsClient, 'runInstances'>;
  readonly hosts: Pick<DedicatedHosts, 'allocate' | 'waitUntilAvailable'>;
  /** The AMI to boot, looked up once at the start. */
  readonly resolveImage: () => Promise<Image>;
  /** What one instance of the label uses when bought on `market`. */
  readonly quota: (market: Market) => Promise<QuotaInformation>;
  readonly label: AwsLabelConfig;
  readonly pool: AwsPoolConfig;
  readonly hostname: string;
  /** For the instance, its volumes and its dedicated host. */
  readonly tags: Readonly<Record<string, string>>;
  readonly instances: InstanceListing;
  readonly log: Logger;
  /** How long an instance RunInstances named may be missing from listings (EC2 is eventually consistent). */
  readonly listingGraceMs?: number;
}

/**
 * Creates one EC2 instance: finds the AMI, allocates a dedicated host first if the label asks
 * for one (its ID is the machine's `externalId` until the instance has one, so a failure
 * releases it), runs the instance (spot, falling back to on-demand when the label allows and
 * spot capacity is short) and waits in the kit's shared listing until it runs.
 */
export class AwsCreateStateMachine implements StateMachine<Instance> {
  state: AwsCreateState = 'start';
  externalId: string | undefined;
  private image: Image | undefined;
  private market: Market;
  private hostId: string | undefined;
  private instanceId: string | undefined;
  private createdAt = 0;
  private result: Instance | undefined;

  constructor(private readonly options: AwsCreateStateMachineOptions) {
    this.market = options.label.useSpot ? 'spot' : 'on-demand';
  }

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    const { label, log } = this.options;
    if (this.state === 'start') {
      this.image = await this.options.resolveImage();
      this.state = label.dedicatedHost ? 'allocating host' : 'creating instance';
    }

    if (this.state === 'allocating host') {
      this.hostId = await this.options.hosts.allocate({ instanceType: label.instanceType, zone: this.options.pool.availabilityZone, tags: this.options.tags });
      this.externalId = this.hostId;
      log.debug('dedicated host allocated', { hostId: this.hostId });
      this.state = 'waiting for host';
    }

    if (this.state === 'waiting for host') {
      await this.options.hosts.waitUntilAvailable(this.hostId!);
      this.state = 'creating instance';
    }

    if (this.state === 'creating instance') {
      const raw = await this.runInstance();
      this.instanceId = raw;
      this.externalId = raw;
      this.createdAt = Date.now();
      this.state = 'waiting for instance';
    }

    if (this.state === 'waiting for instance') {
      const instanceId = this.instanceId!;
      const instance = await this.options.instances.get(instanceId);
      if (instance) await this.settle(instance);
      else if (Date.now() - this.createdAt > (this.options.listingGraceMs ?? 60_000)) {
        throw new LaunchStatusError(`EC2 instance ${instanceId} (${this.options.hostname}) disappeared while booting`);
      }
    }

    return this.state === 'complete' ? this.result : undefined;
  }

  /** RunInstances; a spot request EC2 has no capacity for is sent again on-demand if the label allows. */
  private async runInstance(): Promise<string> {
    const { client, label, pool, tags, log, hostname } = this.options;
    const send = async (): Promise<string> => {
      const input = runInstancesInput({ label, pool, image: this.image!, tags, market: this.market, hostId: this.hostId, clientToken: randomUUID() });
      const [instance] = await client.runInstances(input);
      if (!instance?.InstanceId) throw new LaunchStatusError(`EC2 RunInstances for ${hostname} answered without an instance`);
      log.debug('EC2 instance created', { hostname, instanceId: instance.InstanceId, market: this.market });
      return instance.InstanceId;
    };
    try {
      return await send();
    } catch (error) {
      if (!(error instanceof AwsCapacityError && this.market === 'spot' && label.fallbackToOnDemand)) throw error;
      log.info('no spot capacity; launching on-demand instead (fallback-to-on-demand)', { hostname, instanceType: label.instanceType });
      this.market = 'on-demand';
      return send();
    }
  }

  /** Completes on a running instance; fails on one that ended (a spot interruption, say); else waits. */
  private async settle(instance: Instance): Promise<void> {
    const state = isAwsInstanceView(instance) ? instance.state : instance.deleted ? 'terminated' : instance.ready ? 'running' : 'pending';
    if (state === 'shutting-down' || state === 'terminated') {
      const reason = isAwsInstanceView(instance) && instance.stateReason ? ` (${instance.stateReason})` : '';
      throw new LaunchStatusError(`EC2 instance ${instance.externalId} (${this.options.hostname}) is ${state}${reason}`);
    }
    if (state !== 'running') return;
    const quota = await this.options.quota(this.market);
    this.result = isAwsInstanceView(instance) ? withQuota(instance, quota) : instance;
    this.state = 'complete';
  }
}
