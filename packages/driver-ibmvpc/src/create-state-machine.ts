import { LaunchStatusError, type Instance, type InstanceListing, type Logger, type StateMachine } from '@nodepool/core';
import type { VpcApi } from './client/vpc-api.js';
import type { FloatingIp, InstancePrototype } from './client/vpc-models.js';
import type { IbmVpcLabelConfig, IbmVpcPoolConfig } from './config.js';
import type { FloatingIpSnapshot } from './floating-ips.js';
import { withFloatingIp } from './floating-ips.js';
import type { ImageIdentity } from './image-lookup.js';
import { isIbmVpcInstanceView, type IbmVpcInstanceView } from './instance.js';

export type IbmVpcCreateState = 'start' | 'creating fip' | 'creating vm' | 'attaching fip' | 'complete';

/** What a launch needs from the provider's setup, looked up once at the start. */
export interface IbmVpcLaunchPlan {
  readonly image: ImageIdentity;
  readonly resourceGroupId: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly keyIds: readonly string[];
}

export interface IbmVpcCreateStateMachineOptions {
  readonly vpcApi: () => Promise<VpcApi>;
  /** Image, resource group, VPC, subnet and keys of the launch. */
  readonly plan: () => Promise<IbmVpcLaunchPlan>;
  readonly label: IbmVpcLabelConfig;
  readonly pool: IbmVpcPoolConfig;
  /** `np<node id>`: the instance's, its boot volume's and its floating IP's name. */
  readonly hostname: string;
  readonly floatingIps: FloatingIpSnapshot;
  readonly instances: InstanceListing;
  readonly log: Logger;
  /** How long an instance the VPC created may be missing from listings. Default 60 s. */
  readonly listingGraceMs?: number;
}

/**
 * Creates one instance as Nodepool 9.0.0 does: with `public-ipv4`, first a floating IP of the
 * node's name in the pool's resource group and zone, waited for until `available`; then the
 * instance (profile, image, keys, the pool's subnet as interface `eth0`, a `general-purpose`
 * boot volume deleted with it, user data), waited for in the kit's shared listing until
 * `running`; then the floating IP bound to its primary interface. The external ID is the node's
 * name from the start, so a failure at any step is unwound by name.
 */
export class IbmVpcCreateStateMachine implements StateMachine<Instance> {
  state: IbmVpcCreateState = 'start';
  externalId: string | undefined;
  private fip: FloatingIp | null = null;
  private view: IbmVpcInstanceView | undefined;
  private createdAt = 0;
  private result: Instance | undefined;

  constructor(private readonly options: IbmVpcCreateStateMachineOptions) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    const { hostname, pool, label, log } = this.options;
    if (this.state === 'start') {
      this.externalId = hostname;
      const plan = await this.options.plan();
      if (pool.publicIpv4) {
        log.debug(`Creating floating IP address ${hostname}`);
        this.fip = await (await this.options.vpcApi()).createFloatingIp({ name: hostname, resource_group: { id: plan.resourceGroupId }, zone: { name: pool.zone } });
      }
      this.state = 'creating fip';
    }

    if (this.state === 'creating fip') {
      if (this.fip && this.fip.status !== 'available') {
        this.fip = await this.refreshFip(this.fip);
        if (this.fip.status !== 'available') return undefined;
      }
      const plan = await this.options.plan();
      log.debug(`Creating instance ${hostname}`, { image: plan.image, profile: label.profile });
      await (await this.options.vpcApi()).createInstance(this.prototype(plan));
      this.createdAt = Date.now();
      this.state = 'creating vm';
    }

    if (this.state === 'creating vm') {
      const view = await this.options.instances.get(hostname);
      if (!isIbmVpcInstanceView(view)) {
        if (Date.now() - this.createdAt > (this.options.listingGraceMs ?? 60_000)) throw new LaunchStatusError(`VPC instance ${hostname} disappeared while booting`);
        return undefined;
      }
      if (view.status === 'failed') throw new LaunchStatusError(`Server in failed state${view.statusReasons ? `: ${view.statusReasons}` : ''}`);
      if (view.status !== 'running') return undefined;
      this.view = view;
      if (this.fip) {
        log.debug(`Attaching floating IP address to ${hostname}`);
        this.fip = await (await this.options.vpcApi()).addInstanceNetworkInterfaceFloatingIp(view.instanceId, view.networkInterfaceId, this.fip.id);
      }
      this.state = 'attaching fip';
    }

    if (this.state === 'attaching fip') {
      if (this.fip && !this.fip.target) {
        this.fip = await this.refreshFip(this.fip);
        if (!this.fip.target) return undefined;
      }
      this.state = 'complete';
    }

    this.result ??= withFloatingIp(this.view!, this.fip);
    return this.result;
  }

  /** The floating IP as of the next listing; one that failed fails the attempt. */
  private async refreshFip(fip: FloatingIp): Promise<FloatingIp> {
    const current = (await this.options.floatingIps.fresh(this.options.instances)).find((candidate) => candidate.id === fip.id) ?? fip;
    if (current.status === 'failed') throw new LaunchStatusError(`Floating IP Error: ${current.name} (${current.id}) failed`);
    return current;
  }

  private prototype(plan: IbmVpcLaunchPlan): InstancePrototype {
    const { hostname, label, pool } = this.options;
    return {
      keys: plan.keyIds.map((id) => ({ id })),
      name: hostname,
      profile: { name: label.profile },
      resource_group: { id: plan.resourceGroupId },
      vpc: { id: plan.vpcId },
      image: plan.image,
      primary_network_interface: { name: 'eth0', subnet: { id: plan.subnetId } },
      zone: { name: pool.zone },
      boot_volume_attachment: { volume: { name: hostname, profile: { name: 'general-purpose' } }, delete_volume_on_instance_delete: true },
      ...(label.userData ? { user_data: label.userData } : {}),
    };
  }
}
