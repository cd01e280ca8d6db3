import { createHash, randomUUID } from 'node:crypto';
import { ApiError, isoSeconds, macAddress } from './http-kit.js';
import { CountRules } from '@nodepool/core/testing';
import { checkBootFailure, checkFault, FAILS, type FakeBootFailure, type FakeFault, type FakeRuleState } from './fault-rules.js';
import { applySettingsPatch, DEFAULT_SETTINGS, FakeOpenStackUsageError, type FakeOpenStackSettings, type FakeOpenStackSettingsPatch } from './fake-openstack-settings.js';
import { FAKE_PROJECT_ID, TokenStore } from './identity.js';
import { Ipv4Pool } from './ipv4-pool.js';
import type {
  AddFloatingIpRequest,
  AddImageRequest,
  AddKeypairRequest,
  AddPortRequest,
  AddServerRequest,
  AddVolumeRequest,
  FakeCallCounts,
  FakeFloatingIp,
  FakeImage,
  FakeKeypair,
  FakeNetwork,
  FakeOpenStackState,
  FakePort,
  FakeRouter,
  FakeSecurityGroup,
  FakeServer,
  FakeSubnet,
  FakeVolume,
} from './fake-openstack-types.js';

/** Options of a new fake: the settings to start from, and where to listen. */
export interface FakeOpenStackOptions extends FakeOpenStackSettingsPatch {
  /** Port to listen on; default 0 (a free one). */
  readonly port?: number;
  /** Address to listen on; default 127.0.0.1. */
  readonly host?: string;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** What a create-server request asks for, checked by Nova's API layer. */
export interface ServerSpec {
  readonly name: string;
  readonly flavorId: string;
  readonly imageId: string | null;
  readonly keyName: string | null;
  readonly az: string | null;
  readonly metadata: Record<string, string>;
  readonly securityGroups: readonly string[];
  readonly userData: string | null;
  readonly configDrive: boolean;
  /** Networks by ID; 'auto' for the project's only tenant network. */
  readonly networks: readonly string[] | 'auto' | 'none';
  /** A root volume made from `imageId`, of this many GiB. */
  readonly bootVolume: { readonly imageId: string; readonly size: number; readonly deleteOnTermination: boolean } | null;
}

/** The project that owns the cloud's public images. */
const ADMIN_PROJECT_ID = 'ad1ad1ad1ad140aa8aa8aa8aa8aa8aa8';

const NO_VALID_HOST = 'No valid host was found. There are not enough hosts available.';

/**
 * The state of a fake OpenStack and the rules it keeps: one project, its servers (with the
 * Neutron ports Nova makes for them and the volumes they boot from), networks, floating IPs,
 * images and volumes, quotas, and the fault rules and call counters of the control API. Time
 * moves lazily: every look (`refresh`) applies the transitions whose delay has passed.
 */
export class FakeOpenStack {
  readonly projectId = FAKE_PROJECT_ID;
  readonly tokens = new TokenStore();
  private current: FakeOpenStackSettings;
  private readonly initial: FakeOpenStackSettings;
  private counts: FakeCallCounts = {};
  private log: string[] = [];
  private endpoints: Record<string, number> = {};
  private readonly faults = new CountRules<FakeFault>(FakeOpenStackUsageError, FAILS);
  private readonly bootFailures = new CountRules<FakeBootFailure>(FakeOpenStackUsageError, FAILS);

  readonly servers = new Map<string, Mutable<FakeServer> & { readyAt: number; deletedAt: number | null; bootFailure: { code: number; message: string } | null }>();
  readonly networks = new Map<string, FakeNetwork>();
  readonly subnets = new Map<string, FakeSubnet & { pool: Ipv4Pool }>();
  readonly ports = new Map<string, Mutable<FakePort>>();
  readonly floatingIps = new Map<string, Mutable<FakeFloatingIp> & { attachedAt: number }>();
  readonly routers = new Map<string, FakeRouter>();
  readonly securityGroups = new Map<string, FakeSecurityGroup>();
  readonly images = new Map<string, Mutable<FakeImage> & { readyAt: number }>();
  readonly volumes = new Map<string, Mutable<FakeVolume> & { readyAt: number }>();
  readonly keypairs = new Map<string, FakeKeypair>();
  private macCounter = 0;

  constructor(options: FakeOpenStackOptions = {}) {
    const { port: _port, host: _host, ...patch } = options;
    this.initial = applySettingsPatch(DEFAULT_SETTINGS, patch);
    this.current = this.initial;
    this.seed();
  }

  // ---- settings, counters, faults ----------------------------------------------------------

  settings(): FakeOpenStackSettings {
    return structuredClone(this.current);
  }

  configure(patch: unknown): FakeOpenStackSettings {
    this.current = applySettingsPatch(this.current, patch);
    return this.settings();
  }

  count(operation: string): void {
    this.counts[operation] = (this.counts[operation] ?? 0) + 1;
    this.log.push(operation);
  }

  calls(): FakeCallCounts {
    return { ...this.counts };
  }

  /** Counts a call of the endpoint `<region>/<interface>`. */
  countEndpoint(endpoint: string): void {
    this.endpoints[endpoint] = (this.endpoints[endpoint] ?? 0) + 1;
  }

  endpointCalls(): Record<string, number> {
    return { ...this.endpoints };
  }

  resetCalls(): FakeCallCounts {
    const before = this.counts;
    this.counts = {};
    this.log = [];
    this.endpoints = {};
    return before;
  }

  callLog(): string[] {
    return [...this.log];
  }

  injectFault(value: unknown): FakeRuleState<FakeFault>[] {
    this.faults.add(checkFault(value));
    return this.faults.list();
  }

  /** The fault this call of `operation` is answered with, if a rule fires. */
  takeFault(operation: string): FakeFault | undefined {
    return this.faults.take((rule) => rule.operation === operation || rule.operation === '*');
  }

  failBoots(value: unknown): FakeRuleState<FakeBootFailure>[] {
    this.bootFailures.add(checkBootFailure(value));
    return this.bootFailures.list();
  }

  faultRules(): { faults: FakeRuleState<FakeFault>[]; bootFailures: FakeRuleState<FakeBootFailure>[] } {
    return { faults: this.faults.list(), bootFailures: this.bootFailures.list() };
  }

  clearFaults(): void {
    this.faults.clear();
    this.bootFailures.clear();
  }

  latencyFor(operation: string): number {
    return this.current.latencyMs + (this.current.operationLatencyMs[operation] ?? 0);
  }

  /** Back to the start: settings, seed resources, no counters, faults or tokens. */
  reset(): void {
    this.current = this.initial;
    this.resetCalls();
    this.clearFaults();
    this.tokens.clear();
    for (const map of [this.servers, this.networks, this.subnets, this.ports, this.floatingIps, this.routers, this.securityGroups, this.images, this.volumes, this.keypairs]) map.clear();
    this.seed();
  }

  // ---- time ------------------------------------------------------------------------------------

  /** Applies every transition due by `now`. */
  refresh(now = Date.now()): void {
    for (const server of this.servers.values()) {
      if (server.deletedAt !== null) {
        if (now >= server.deletedAt + this.current.deleteDelayMs) this.removeServer(server.id);
        continue;
      }
      if (server.status === 'BUILD' && now >= server.readyAt) {
        server.updatedAt = now;
        if (server.bootFailure) {
          server.status = 'ERROR';
          server.fault = { ...server.bootFailure, created: isoSeconds(now) };
          // Nova gives back the network of a build that failed.
          for (const portId of server.portIds) this.removePort(portId);
          server.portIds = [];
        } else {
          server.status = 'ACTIVE';
          for (const portId of server.portIds) {
            const port = this.ports.get(portId);
            if (port) port.status = 'ACTIVE';
          }
        }
      }
    }
    for (const volume of this.volumes.values()) {
      if (volume.status === 'creating' && now >= volume.readyAt) volume.status = volume.serverId ? 'in-use' : 'available';
    }
    for (const image of this.images.values()) {
      if (image.status === 'saving' && now >= image.readyAt) {
        image.status = 'active';
        image.updatedAt = now;
      }
    }
    for (const fip of this.floatingIps.values()) {
      fip.status = fip.portId !== null && now >= fip.attachedAt + this.current.floatingIpDelayMs ? 'ACTIVE' : 'DOWN';
    }
  }

  // ---- compute ---------------------------------------------------------------------------------

  /** Creates a server as Nova's API does once the request is valid; quota refusals are Nova's 403s. */
  createServer(spec: ServerSpec, now = Date.now(), options: { bootFailures?: boolean } = {}): FakeServer {
    const flavor = this.current.flavors.find((candidate) => candidate.id === spec.flavorId);
    if (!flavor) throw new ApiError(400, `Flavor ${spec.flavorId} could not be found.`);
    const az = spec.az ?? this.current.zones[0]!;
    if (!this.current.zones.includes(az)) throw new ApiError(400, 'The requested availability zone is not available');
    if (spec.keyName !== null && !this.keypairs.has(spec.keyName)) throw new ApiError(400, 'Invalid key_name provided.');
    for (const group of spec.securityGroups) {
      if (![...this.securityGroups.values()].some((candidate) => candidate.name === group || candidate.id === group)) {
        throw new ApiError(400, `Security group ${group} not found for project ${this.projectId}.`);
      }
    }
    const networks = this.serverNetworks(spec.networks);
    this.checkComputeQuota(flavor.vcpus, flavor.ram);
    if (this.current.quotas.ports !== -1 && this.ports.size + networks.length > this.current.quotas.ports) throw new ApiError(403, 'Maximum number of ports exceeded');

    const id = randomUUID();
    const failure = options.bootFailures === false ? undefined : this.bootFailures.take(() => true);
    const server: FakeOpenStack['servers'] extends Map<string, infer S> ? S : never = {
      id,
      name: spec.name,
      projectId: this.projectId,
      flavorId: flavor.id,
      imageId: spec.bootVolume ? null : spec.imageId,
      keyName: spec.keyName,
      az,
      metadata: { ...spec.metadata },
      securityGroups: spec.securityGroups.length > 0 ? [...spec.securityGroups] : ['default'],
      userData: spec.userData,
      configDrive: spec.configDrive,
      status: 'BUILD',
      deleting: false,
      fault: null,
      hostId: createHash('sha224').update(`${this.projectId}fake-compute-1`).digest('hex'),
      portIds: [],
      volumes: [],
      createdAt: now,
      updatedAt: now,
      readyAt: now + this.current.bootDelayMs,
      deletedAt: null,
      bootFailure: failure ? { code: failure.code ?? 500, message: failure.message ?? NO_VALID_HOST } : null,
    };
    // Ports first: a network out of addresses refuses the server, leaving nothing behind.
    const ports: string[] = [];
    try {
      for (const network of networks) ports.push(this.createPort({ networkId: network.id, deviceId: id, deviceOwner: `compute:${az}`, status: 'DOWN', now }).id);
    } catch (error) {
      for (const portId of ports) this.removePort(portId);
      throw error;
    }
    server.portIds = ports;
    this.servers.set(id, server);
    if (spec.bootVolume) {
      // Cinder refuses a volume beyond quota; Nova then fails the build with Cinder's words.
      const refusal = this.volumeQuotaRefusal(spec.bootVolume.size);
      if (refusal) {
        server.bootFailure = { code: 500, message: `Build of instance ${id} aborted: ${refusal}` };
        server.readyAt = now;
      } else {
        const volume = this.createVolume({ name: '', size: spec.bootVolume.size, imageId: spec.bootVolume.imageId, az, serverId: id, now });
        server.volumes = [{ id: volume.id, deleteOnTermination: spec.bootVolume.deleteOnTermination }];
      }
    }
    return server;
  }

  /** Marks a server deleted; it is gone once `deleteDelayMs` has passed (at the next look). */
  deleteServer(id: string, now = Date.now()): void {
    const server = this.servers.get(id);
    if (!server || server.deletedAt !== null) throw new ApiError(404, `Instance ${id} could not be found.`);
    server.deleting = true;
    server.deletedAt = now;
    server.updatedAt = now;
    this.refresh(now);
  }

  /** The server's networks with their addresses, as Nova's `addresses` lists them. */
  addresses(server: FakeServer): Record<string, { version: number; addr: string; 'OS-EXT-IPS:type': string; 'OS-EXT-IPS-MAC:mac_addr': string }[]> {
    const addresses: ReturnType<FakeOpenStack['addresses']> = {};
    if (server.status === 'BUILD') return addresses;
    for (const portId of server.portIds) {
      const port = this.ports.get(portId);
      const network = port && this.networks.get(port.networkId);
      if (!port || !network) continue;
      const list = (addresses[network.name] ??= []);
      for (const fixed of port.fixedIps) list.push({ version: 4, addr: fixed.ipAddress, 'OS-EXT-IPS:type': 'fixed', 'OS-EXT-IPS-MAC:mac_addr': port.macAddress });
      for (const fip of this.floatingIps.values()) {
        if (fip.portId === port.id && fip.status === 'ACTIVE') list.push({ version: 4, addr: fip.address, 'OS-EXT-IPS:type': 'floating', 'OS-EXT-IPS-MAC:mac_addr': port.macAddress });
      }
    }
    return addresses;
  }

  /** What the project uses now, as Nova, Cinder and Neutron count it. */
  usage(): { instances: number; cores: number; ram: number; volumes: number; gigabytes: number; floatingips: number; ports: number } {
    let instances = 0;
    let cores = 0;
    let ram = 0;
    for (const server of this.servers.values()) {
      if (server.deletedAt !== null) continue;
      const flavor = this.current.flavors.find((candidate) => candidate.id === server.flavorId);
      instances++;
      cores += flavor?.vcpus ?? 0;
      ram += flavor?.ram ?? 0;
    }
    const volumes = [...this.volumes.values()];
    return { instances, cores, ram, volumes: volumes.length, gigabytes: volumes.reduce((sum, volume) => sum + volume.size, 0), floatingips: this.floatingIps.size, ports: this.ports.size };
  }

  flavor(id: string) {
    return this.current.flavors.find((candidate) => candidate.id === id);
  }

  // ---- network -----------------------------------------------------------------------------------

  createPort(options: { networkId: string; deviceId?: string; deviceOwner?: string; status?: FakePort['status']; name?: string; now?: number }): FakePort {
    const network = this.networks.get(options.networkId);
    if (!network) throw new ApiError(404, `Network ${options.networkId} could not be found.`, 'NetworkNotFound');
    const subnet = this.subnets.get(network.subnetIds[0] ?? '');
    const fixed = subnet && (!network.external && this.current.fixedAddress ? this.current.fixedAddress : subnet.pool.allocate());
    if (subnet && fixed === undefined) throw new ApiError(409, `No more IP addresses available on network ${network.id}.`, 'IpAddressGenerationFailure');
    const port: Mutable<FakePort> = {
      id: randomUUID(),
      name: options.name ?? '',
      networkId: network.id,
      macAddress: macAddress(++this.macCounter),
      fixedIps: subnet && fixed ? [{ subnetId: subnet.id, ipAddress: fixed }] : [],
      deviceId: options.deviceId ?? '',
      deviceOwner: options.deviceOwner ?? '',
      status: options.status ?? 'DOWN',
      createdAt: options.now ?? Date.now(),
    };
    this.ports.set(port.id, port);
    return port;
  }

  /** Deletes a port; a floating IP on it is disassociated, as Neutron does. */
  removePort(id: string): void {
    const port = this.ports.get(id);
    if (!port) throw new ApiError(404, `Port ${id} could not be found.`, 'PortNotFound');
    for (const fixed of port.fixedIps) if (fixed.ipAddress !== this.current.fixedAddress) this.subnets.get(fixed.subnetId)?.pool.release(fixed.ipAddress);
    for (const fip of this.floatingIps.values()) {
      if (fip.portId === id) {
        fip.portId = null;
        fip.fixedIpAddress = null;
        fip.routerId = null;
        fip.status = 'DOWN';
      }
    }
    this.ports.delete(id);
  }

  /** Allocates a floating IP from an external network, associated with `portId` if given. */
  createFloatingIp(options: { networkId: string; portId?: string | null; fixedIpAddress?: string | null; description?: string; address?: string; now?: number }): FakeFloatingIp {
    const network = this.networks.get(options.networkId);
    if (!network) throw new ApiError(404, `Network ${options.networkId} could not be found.`, 'NetworkNotFound');
    if (!network.external) throw new ApiError(400, `Bad floatingip request: Network ${network.id} is not a valid external network.`, 'BadRequest');
    const quota = this.current.quotas.floatingips;
    if (quota !== -1 && this.floatingIps.size >= quota) throw new ApiError(409, "Quota exceeded for resources: ['floatingip'].", 'OverQuota');
    const subnet = this.subnets.get(network.subnetIds[0] ?? '');
    const address = options.address ?? this.current.floatingAddress ?? subnet?.pool.allocate();
    if (address === undefined) throw new ApiError(409, `No more IP addresses available on network ${network.id}.`, 'IpAddressGenerationFailure');
    const now = options.now ?? Date.now();
    const fip: FakeOpenStack['floatingIps'] extends Map<string, infer F> ? F : never = {
      id: randomUUID(),
      address,
      networkId: network.id,
      portId: null,
      fixedIpAddress: null,
      routerId: null,
      status: 'DOWN',
      description: options.description ?? '',
      createdAt: now,
      attachedAt: now,
    };
    this.floatingIps.set(fip.id, fip);
    if (options.portId) {
      try {
        this.associateFloatingIp(fip.id, options.portId, options.fixedIpAddress ?? null, now);
      } catch (error) {
        this.floatingIps.delete(fip.id);
        throw error;
      }
    }
    return fip;
  }

  /** Associates (or, with a null port, disassociates) a floating IP. */
  associateFloatingIp(id: string, portId: string | null, fixedIpAddress: string | null, now = Date.now()): FakeFloatingIp {
    const fip = this.floatingIps.get(id);
    if (!fip) throw new ApiError(404, `Floating IP ${id} could not be found`, 'FloatingIPNotFound');
    if (portId === null) {
      Object.assign(fip, { portId: null, fixedIpAddress: null, routerId: null, status: 'DOWN' });
      return fip;
    }
    const port = this.ports.get(portId);
    if (!port) throw new ApiError(404, `Port ${portId} could not be found.`, 'PortNotFound');
    const fixed = fixedIpAddress ?? port.fixedIps[0]?.ipAddress;
    if (!fixed || !port.fixedIps.some((ip) => ip.ipAddress === fixed)) throw new ApiError(400, `Bad floatingip request: Port ${portId} does not have fixed ip ${fixed ?? ''}.`, 'BadRequest');
    const router = [...this.routers.values()].find((candidate) => candidate.externalNetworkId === fip.networkId && candidate.subnetIds.some((subnetId) => port.fixedIps.some((ip) => ip.subnetId === subnetId)));
    if (!router) {
      throw new ApiError(404, `External network ${fip.networkId} is not reachable from subnet ${port.fixedIps[0]?.subnetId ?? ''}.  Therefore, cannot associate Port ${portId} with a Floating IP.`, 'ExternalGatewayForFloatingIPNotFound');
    }
    const taken = [...this.floatingIps.values()].find((other) => other.id !== id && other.portId === portId && other.fixedIpAddress === fixed);
    if (taken) throw new ApiError(409, `Cannot associate floating IP ${fip.address} (${id}) with port ${portId} using fixed IP ${fixed}, as that fixed IP already has a floating IP on external network ${fip.networkId}.`, 'FloatingIPPortAlreadyAssociated');
    Object.assign(fip, { portId, fixedIpAddress: fixed, routerId: router.id, attachedAt: now });
    this.refresh(now);
    return fip;
  }

  deleteFloatingIp(id: string): void {
    const fip = this.floatingIps.get(id);
    if (!fip) throw new ApiError(404, `Floating IP ${id} could not be found`, 'FloatingIPNotFound');
    if (fip.address !== this.current.floatingAddress) this.subnets.get(this.networks.get(fip.networkId)?.subnetIds[0] ?? '')?.pool.release(fip.address);
    this.floatingIps.delete(id);
  }

  // ---- block storage -----------------------------------------------------------------------------

  createVolume(options: { name: string; size: number; imageId?: string | null; az?: string; serverId?: string | null; metadata?: Record<string, string>; now?: number }): FakeVolume {
    const refusal = this.volumeQuotaRefusal(options.size);
    if (refusal) throw new ApiError(413, refusal);
    const now = options.now ?? Date.now();
    const volume: FakeOpenStack['volumes'] extends Map<string, infer V> ? V : never = {
      id: randomUUID(),
      name: options.name,
      size: options.size,
      status: 'creating',
      az: options.az ?? this.current.zones[0]!,
      serverId: options.serverId ?? null,
      imageId: options.imageId ?? null,
      metadata: { ...options.metadata },
      createdAt: now,
      readyAt: now + this.current.volumeDelayMs,
    };
    this.volumes.set(volume.id, volume);
    this.refresh(now);
    return volume;
  }

  deleteVolume(id: string): void {
    const volume = this.volumes.get(id);
    if (!volume) throw new ApiError(404, `Volume ${id} could not be found.`);
    if (volume.serverId !== null || !['available', 'error'].includes(volume.status)) {
      throw new ApiError(400, 'Invalid volume: Volume status must be available or error or error_restoring or error_extending or error_managing and must not be migrating, attached, belong to a group, have snapshots or be disassociated from snapshots after volume transfer.');
    }
    this.volumes.delete(id);
  }

  // ---- image -------------------------------------------------------------------------------------

  createImage(options: { name: string | null; id?: string; owner?: string; visibility?: FakeImage['visibility']; diskFormat?: string | null; containerFormat?: string | null; minRam?: number; minDisk?: number; protected?: boolean; tags?: string[]; properties?: Record<string, unknown>; status?: FakeImage['status']; now?: number }): FakeImage {
    const now = options.now ?? Date.now();
    const id = options.id ?? randomUUID();
    if (this.images.has(id)) throw new ApiError(409, `Image with identifier ${id} already exists!`);
    const image: FakeOpenStack['images'] extends Map<string, infer I> ? I : never = {
      id,
      name: options.name ?? '',
      status: options.status ?? 'queued',
      visibility: options.visibility ?? 'shared',
      owner: options.owner ?? this.projectId,
      diskFormat: options.diskFormat ?? null,
      containerFormat: options.containerFormat ?? null,
      size: null,
      checksum: null,
      hashValue: null,
      minRam: options.minRam ?? 0,
      minDisk: options.minDisk ?? 0,
      protected: options.protected ?? false,
      tags: options.tags ?? [],
      properties: { ...options.properties },
      createdAt: now,
      updatedAt: now,
      readyAt: now,
    };
    this.images.set(id, image);
    return image;
  }

  /** Image data arrived: Glance records its size and hashes, then makes the image active. */
  storeImageData(id: string, size: number, md5: string, sha512: string, now = Date.now()): void {
    const image = this.images.get(id);
    if (!image) throw new ApiError(404, `No image found with ID ${id}`);
    if (image.status !== 'queued') throw new ApiError(409, `Image status transition from ${image.status} to saving is not allowed`);
    Object.assign(image, { size, checksum: md5, hashValue: sha512, status: 'saving', updatedAt: now, readyAt: now + this.current.imageDelayMs });
    this.refresh(now);
  }

  deleteImage(id: string): void {
    const image = this.images.get(id);
    if (!image) throw new ApiError(404, `Failed to find image ${id} to delete`);
    if (image.protected) throw new ApiError(403, `Image ${id} is protected and cannot be deleted.`);
    this.images.delete(id);
  }

  // ---- control-plane additions --------------------------------------------------------------------

  addServer(request: AddServerRequest = {}): FakeServer {
    const networks = (request.networks ?? [this.tenantNetwork().name]).map((name) => this.networkByName(name).id);
    const flavorId = request.flavorId ?? this.current.flavors[0]!.id;
    const imageId = request.imageId ?? [...this.images.values()][0]?.id ?? null;
    const now = Date.now();
    const server = this.createServer(
      {
        name: request.name ?? `someone-${randomUUID().slice(0, 8)}`,
        flavorId,
        imageId,
        keyName: null,
        az: request.az ?? null,
        metadata: { ...request.metadata },
        securityGroups: [],
        userData: null,
        configDrive: false,
        networks,
        bootVolume: null,
      },
      now,
      { bootFailures: false },
    );
    const record = this.servers.get(server.id)!;
    record.readyAt = now;
    if (request.status === 'ERROR') record.bootFailure = { code: 500, message: NO_VALID_HOST };
    if (request.status !== 'BUILD') this.refresh(now);
    else record.readyAt = Infinity;
    return record;
  }

  addFloatingIp(request: AddFloatingIpRequest = {}): FakeFloatingIp {
    const external = [...this.networks.values()].find((network) => network.external);
    if (!external) throw new FakeOpenStackUsageError('there is no external network');
    return this.createFloatingIp({ networkId: external.id, portId: request.portId ?? null, ...(request.address ? { address: request.address } : {}) });
  }

  addPort(request: AddPortRequest = {}): FakePort {
    const network = request.network ? this.networkByName(request.network) : this.tenantNetwork();
    return this.createPort({ networkId: network.id, status: request.status ?? 'DOWN', deviceOwner: request.deviceOwner ?? 'compute:nova', deviceId: request.deviceId ?? '' });
  }

  addVolume(request: AddVolumeRequest = {}): FakeVolume {
    const volume = this.createVolume({ name: request.name ?? '', size: request.size ?? 1, metadata: { ...request.metadata } });
    const record = this.volumes.get(volume.id)!;
    record.status = request.status ?? 'available';
    return record;
  }

  addImage(request: AddImageRequest): FakeImage {
    if (typeof request?.name !== 'string') throw new FakeOpenStackUsageError('an image needs a name');
    const image = this.createImage({
      name: request.name,
      ...(request.id ? { id: request.id } : {}),
      // Public images belong to the cloud's admin project, as in a real cloud.
      ...(request.visibility === 'public' ? { owner: ADMIN_PROJECT_ID } : {}),
      visibility: request.visibility ?? 'private',
      diskFormat: 'qcow2',
      containerFormat: 'bare',
      properties: { ...request.properties },
    });
    const record = this.images.get(image.id)!;
    Object.assign(record, { status: request.status ?? 'active', size: 1024, checksum: createHash('md5').update(image.id).digest('hex'), hashValue: createHash('sha512').update(image.id).digest('hex') });
    return record;
  }

  addKeypair(request: AddKeypairRequest): FakeKeypair {
    if (typeof request?.name !== 'string' || request.name === '') throw new FakeOpenStackUsageError('a keypair needs a name');
    const publicKey = request.publicKey ?? `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${createHash('sha256').update(request.name).digest('base64').slice(0, 43)} ${request.name}`;
    const fingerprint = createHash('md5').update(publicKey).digest('hex').match(/../g)!.join(':');
    if (this.keypairs.has(request.name)) throw new ApiError(409, `Key pair '${request.name}' already exists.`);
    const keypair = { name: request.name, publicKey, fingerprint };
    this.keypairs.set(keypair.name, keypair);
    return keypair;
  }

  state(): FakeOpenStackState {
    this.refresh();
    const strip = <T extends object>(record: T, keys: string[]): T => Object.fromEntries(Object.entries(record).filter(([key]) => !keys.includes(key))) as T;
    return structuredClone({
      projectId: this.projectId,
      servers: [...this.servers.values()].map((server) => strip(server, ['readyAt', 'deletedAt', 'bootFailure'])),
      networks: [...this.networks.values()],
      subnets: [...this.subnets.values()].map((subnet) => strip(subnet, ['pool'])),
      ports: [...this.ports.values()],
      floatingIps: [...this.floatingIps.values()].map((fip) => strip(fip, ['attachedAt'])),
      routers: [...this.routers.values()],
      securityGroups: [...this.securityGroups.values()],
      images: [...this.images.values()].map((image) => strip(image, ['readyAt'])),
      volumes: [...this.volumes.values()].map((volume) => strip(volume, ['readyAt'])),
      keypairs: [...this.keypairs.values()],
      tokensIssued: this.tokens.issued,
    });
  }

  // ---- helpers -----------------------------------------------------------------------------------

  networkByName(nameOrId: string): FakeNetwork {
    const network = this.networks.get(nameOrId) ?? [...this.networks.values()].find((candidate) => candidate.name === nameOrId);
    if (!network) throw new FakeOpenStackUsageError(`no network named ${nameOrId}`);
    return network;
  }

  /** The project's own networks (not external): what `networks: auto` picks from. */
  tenantNetworks(): FakeNetwork[] {
    return [...this.networks.values()].filter((network) => !network.external && !network.shared);
  }

  private tenantNetwork(): FakeNetwork {
    const network = this.tenantNetworks()[0];
    if (!network) throw new FakeOpenStackUsageError('there is no tenant network');
    return network;
  }

  private serverNetworks(requested: ServerSpec['networks']): FakeNetwork[] {
    if (requested === 'none') return [];
    if (requested === 'auto') {
      const candidates = this.tenantNetworks();
      if (candidates.length > 1) throw new ApiError(409, 'Multiple possible networks found, use a Network ID to be more specific.');
      if (candidates.length === 0) throw new ApiError(400, 'Unable to automatically allocate a network for project ' + this.projectId);
      return candidates;
    }
    return requested.map((id) => {
      const network = this.networks.get(id);
      if (!network) throw new ApiError(400, `Network ${id} could not be found.`);
      return network;
    });
  }

  private checkComputeQuota(cores: number, ram: number): void {
    const quotas = this.current.quotas;
    const used = this.usage();
    const over = (
      [
        ['instances', 1, used.instances, quotas.instances],
        ['cores', cores, used.cores, quotas.cores],
        ['ram', ram, used.ram, quotas.ram],
      ] as const
    ).filter(([, requested, inUse, limit]) => limit !== -1 && inUse + requested > limit);
    if (over.length === 0) return;
    const list = (index: 0 | 1 | 2 | 3) => over.map((item) => String(item[index])).join(', ');
    throw new ApiError(403, `Quota exceeded for ${list(0)}: Requested ${list(1)}, but already used ${list(2)} of ${list(3)} ${list(0)}`);
  }

  private volumeQuotaRefusal(size: number): string | undefined {
    const { volumes, gigabytes } = this.current.quotas;
    const used = this.usage();
    if (volumes !== -1 && used.volumes + 1 > volumes) return `VolumeLimitExceeded: Maximum number of volumes allowed (${volumes}) exceeded for quota 'volumes'.`;
    if (gigabytes !== -1 && used.gigabytes + size > gigabytes) {
      return `VolumeSizeExceedsAvailableQuota: Requested volume or snapshot exceeds allowed gigabytes quota. Requested ${size}G, quota is ${gigabytes}G and ${used.gigabytes}G has been consumed.`;
    }
    return undefined;
  }

  private removeServer(id: string): void {
    const server = this.servers.get(id);
    if (!server) return;
    for (const portId of server.portIds) if (this.ports.has(portId)) this.removePort(portId);
    for (const attached of server.volumes) {
      const volume = this.volumes.get(attached.id);
      if (!volume) continue;
      if (attached.deleteOnTermination) this.volumes.delete(volume.id);
      else Object.assign(volume, { serverId: null, status: 'available' });
    }
    this.servers.delete(id);
  }

  /** DevStack's shape: an external `public` network, a tenant `private` one routed to it, `default` security group, two images, one keypair. */
  private seed(): void {
    const addNetwork = (name: string, cidr: string, external: boolean): FakeNetwork => {
      const subnet = { id: randomUUID(), name: `${name}-subnet`, networkId: '', cidr, gatewayIp: Ipv4Pool.gatewayOf(cidr), pool: new Ipv4Pool(cidr) };
      const network: FakeNetwork = { id: randomUUID(), name, external, shared: false, subnetIds: [subnet.id] };
      subnet.networkId = network.id;
      this.networks.set(network.id, network);
      this.subnets.set(subnet.id, subnet);
      return network;
    };
    const publicNetwork = addNetwork('public', '172.24.0.0/16', true);
    const privateNetwork = addNetwork('private', '10.0.0.0/16', false);
    const router: FakeRouter = { id: randomUUID(), name: 'router1', externalNetworkId: publicNetwork.id, subnetIds: [privateNetwork.subnetIds[0]!] };
    this.routers.set(router.id, router);
    this.createPort({ networkId: privateNetwork.id, deviceId: router.id, deviceOwner: 'network:router_interface', status: 'ACTIVE' });
    this.securityGroups.set('default', { id: randomUUID(), name: 'default' });
    this.addImage({ name: 'cirros-0.6.2-x86_64-disk', visibility: 'public' });
    this.addImage({ name: 'debian-12', visibility: 'public' });
    this.addKeypair({ name: 'zuul' });
  }
}

/** The fake's error for a server named in a URL that it does not have. */
export function serverNotFound(id: string): ApiError {
  return new ApiError(404, `Instance ${id} could not be found.`);
}
