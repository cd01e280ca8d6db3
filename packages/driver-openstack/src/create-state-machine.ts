import { isIPv4 } from 'node:net';
import { LaunchStatusError, QuotaError, type Instance, type InstanceListing, type Logger, type QuotaInformation, type StateMachine } from '@nodepool/core';
import type { Cinder } from './client/cinder.js';
import type { Neutron, NeutronPort } from './client/neutron.js';
import type { Nova, NovaServerCreate } from './client/nova.js';
import { OpenStackApiError } from './client/openstack-errors.js';
import { isServerView, withQuota, type OpenStackServerView } from './instance.js';
import { needsFloatingIp } from './server-addresses.js';

export type OpenStackCreateState = 'start' | 'creating server' | 'waiting for server' | 'tagging volumes' | 'creating floating ip' | 'attaching floating ip' | 'complete';

/** What a launch sends to Nova, and what the node will use. */
export interface ServerLaunch {
  /** The `server` of `POST /servers`. */
  readonly request: NovaServerCreate;
  readonly quota: QuotaInformation;
}

export interface OpenStackCreateStateMachineOptions {
  readonly nova: Pick<Nova, 'createServer'>;
  readonly neutron: Pick<Neutron, 'listPorts' | 'createFloatingIp'>;
  readonly cinder: Pick<Cinder, 'setVolumeMetadata'>;
  /** Looks up flavor, image and networks and builds the request (once, at the start). */
  readonly prepare: () => Promise<ServerLaunch>;
  /** Whether an active server without a public address gets a floating IP (`auto-floating-ip`, and the cloud has them). */
  readonly autoFloatingIp: boolean;
  /** The network floating IPs come from; null when the cloud has none. */
  readonly floatingNetworkId: () => Promise<string | null>;
  /** Nodepool's metadata, put on the boot volume so that leak cleanup can find it. */
  readonly volumeMetadata: Readonly<Record<string, string>>;
  /** Nova refused the request as malformed: cached flavors, images and networks may be stale. */
  readonly onBadRequest: () => void;
  readonly hostname: string;
  readonly instances: InstanceListing;
  readonly log: Logger;
  /** How long a server Nova created may be missing from listings. Default 60 s. */
  readonly listingGraceMs?: number;
}

/**
 * Creates one server: builds the request, asks Nova (Nodepool's metadata on the server), waits in
 * the kit's shared listing until it is `ACTIVE` (an `ERROR` fails the attempt with Nova's fault,
 * or aborts it for quota when the fault says so), tags its boot volume with Nodepool's metadata,
 * and, when the pool wants one and the server has no public address, allocates a floating IP on
 * its port and waits until Nova shows it.
 */
export class OpenStackCreateStateMachine implements StateMachine<Instance> {
  state: OpenStackCreateState = 'start';
  externalId: string | undefined;
  private launch: ServerLaunch | undefined;
  private createdAt = 0;
  private floatingAddress: string | undefined;
  private server: OpenStackServerView | undefined;
  private result: Instance | undefined;

  constructor(private readonly options: OpenStackCreateStateMachineOptions) {}

  get complete(): boolean {
    return this.state === 'complete';
  }

  async advance(): Promise<Instance | undefined> {
    const { log, hostname } = this.options;
    if (this.state === 'start') {
      this.launch = await this.options.prepare();
      this.state = 'creating server';
    }

    if (this.state === 'creating server') {
      try {
        this.externalId = await this.options.nova.createServer(this.launch!.request);
      } catch (error) {
        if (error instanceof OpenStackApiError && error.status === 400) {
          log.info('Nova refused the request as malformed; looking up flavors, images, networks and zones again', { error: error.detail });
          this.options.onBadRequest();
        }
        throw error;
      }
      this.createdAt = Date.now();
      log.debug('Nova server created', { hostname, serverId: this.externalId });
      this.state = 'waiting for server';
    }

    if (this.state === 'waiting for server') {
      const server = await this.options.instances.get(this.externalId!);
      if (!isServerView(server)) {
        if (Date.now() - this.createdAt > (this.options.listingGraceMs ?? 60_000)) {
          throw new LaunchStatusError(`Nova server ${this.externalId!} (${hostname}) disappeared while booting`);
        }
        return undefined;
      }
      if (server.status === 'ERROR') this.failed(server);
      if (server.status !== 'ACTIVE') return undefined;
      this.server = server;
      this.state = server.volumeIds.length > 0 ? 'tagging volumes' : this.floatingIpStep(server);
    }

    if (this.state === 'tagging volumes') {
      for (const volumeId of this.server!.volumeIds) await this.options.cinder.setVolumeMetadata(volumeId, this.options.volumeMetadata);
      this.state = this.floatingIpStep(this.server!);
    }

    if (this.state === 'creating floating ip') {
      const networkId = await this.options.floatingNetworkId();
      const port = networkId ? pickPort(await this.options.neutron.listPorts({ device_id: this.externalId! })) : undefined;
      if (!networkId || !port) {
        // As the original: with no floating network or no port with an IPv4 address, none is needed.
        this.state = 'complete';
      } else {
        const fip = await this.options.neutron.createFloatingIp({ networkId, portId: port.port.id, fixedIpAddress: port.address });
        this.floatingAddress = fip.floating_ip_address;
        log.debug('floating IP allocated', { hostname, floatingIp: fip.floating_ip_address, port: port.port.id });
        this.state = 'attaching floating ip';
      }
    }

    if (this.state === 'attaching floating ip') {
      // Nova shows the address once Neutron has it in place; the shared listing tells.
      const server = await this.options.instances.get(this.externalId!);
      if (isServerView(server) && (server.addresses.floating.includes(this.floatingAddress!) || server.addresses.publicIpv4 === this.floatingAddress)) {
        this.server = server;
        this.state = 'complete';
      } else {
        return undefined;
      }
    }

    if (this.state === 'complete' && !this.result) this.result = withQuota(this.server!, this.launch!.quota);
    return this.result;
  }

  private floatingIpStep(server: OpenStackServerView): OpenStackCreateState {
    return this.options.autoFloatingIp && needsFloatingIp(server.addresses) ? 'creating floating ip' : 'complete';
  }

  /** An ERROR server: Nova's fault is logged; a quota fault aborts the launch, anything else fails the attempt. */
  private failed(server: OpenStackServerView): never {
    const fault = server.faultMessage;
    if (fault) this.options.log.error(`Error in creating the server. Compute service reports fault: ${fault}`, { serverId: server.externalId });
    if (fault?.includes('quota')) throw new QuotaError(`Quota exceeded (Nova server ${server.externalId}: ${fault})`);
    throw new LaunchStatusError(`Server in error state${fault ? `: ${fault}` : ''}`);
  }
}

/** The newest port with an IPv4 fixed address, as openstacksdk picks the floating IP's port. */
function pickPort(ports: readonly NeutronPort[]): { port: NeutronPort; address: string } | undefined {
  const sorted = [...ports].sort((a, b) => (b.created_at ?? '').localeCompare(a.created_at ?? ''));
  for (const port of sorted) {
    const address = port.fixed_ips.find((fixed) => isIPv4(fixed.ip_address))?.ip_address;
    if (address) return { port, address };
  }
  return undefined;
}
