import { AwsApiError, invalidValue, missingParameter } from './aws-api-error.js';
import type {
  AddHostRequest,
  AddImageRequest,
  AddInstanceRequest,
  AddSnapshotRequest,
  AddVolumeRequest,
  FakeBlockDeviceMapping,
  FakeHost,
  FakeHostState,
  FakeImage,
  FakeImportImageTask,
  FakeImportSnapshotTask,
  FakeImportStatus,
  FakeInstance,
  FakeInstanceState,
  FakeSnapshot,
  FakeVolume,
  FakeVolumeState,
} from './fake-aws-types.js';
import type { FakeAwsSettings } from './fake-aws-settings.js';
import { FakeAwsUsageError } from './fake-aws-settings.js';
import type { FakeInstanceType } from './instance-types.js';
import { hostQuotaCode, instanceQuotaCode, VOLUME_QUOTA_CODES, type MarketType } from './quota-catalog.js';
import type { S3Model } from './s3-model.js';

// ---- requests, as the EC2 API layer parses them ---------------------------------------------

export type TagMap = Map<string, string>;

export interface TagSpecificationRequest {
  readonly resourceType: string;
  readonly tags: TagMap;
}

export interface EbsRequest {
  readonly snapshotId?: string;
  readonly volumeSize?: number;
  readonly volumeType?: string;
  readonly iops?: number;
  readonly throughput?: number;
  readonly deleteOnTermination?: boolean;
  readonly encrypted?: boolean;
}

export interface BlockDeviceMappingRequest {
  readonly deviceName: string;
  readonly ebs?: EbsRequest;
  readonly noDevice?: boolean;
  readonly virtualName?: string;
}

export interface NetworkInterfaceRequest {
  readonly deviceIndex?: number;
  readonly associatePublicIpAddress?: boolean;
  readonly ipv6AddressCount?: number;
  readonly subnetId?: string;
  readonly groups: readonly string[];
  readonly networkInterfaceId?: string;
}

export interface RunInstancesRequest {
  readonly imageId: string;
  readonly instanceType: string;
  readonly minCount: number;
  readonly maxCount: number;
  readonly keyName?: string;
  readonly subnetId?: string;
  readonly securityGroupIds: readonly string[];
  readonly networkInterfaces: readonly NetworkInterfaceRequest[];
  readonly blockDeviceMappings: readonly BlockDeviceMappingRequest[];
  readonly iamInstanceProfile?: { readonly arn?: string; readonly name?: string };
  readonly userData?: string;
  readonly ebsOptimized?: boolean;
  readonly tagSpecifications: readonly TagSpecificationRequest[];
  readonly marketType?: string;
  readonly metadataOptions?: { readonly httpTokens?: 'optional' | 'required'; readonly httpEndpoint?: 'enabled' | 'disabled' };
  readonly placement?: { readonly availabilityZone?: string; readonly hostId?: string; readonly tenancy?: string };
  readonly clientToken?: string;
}

export interface RegisterImageRequest {
  readonly name: string;
  readonly description?: string;
  readonly architecture?: string;
  readonly rootDeviceName?: string;
  readonly blockDeviceMappings: readonly BlockDeviceMappingRequest[];
  readonly virtualizationType?: string;
  readonly enaSupport?: boolean;
  readonly bootMode?: string;
  readonly imdsSupport?: string;
  readonly tagSpecifications: readonly TagSpecificationRequest[];
}

export interface DiskContainerRequest {
  readonly format?: string;
  readonly bucket?: string;
  readonly key?: string;
  readonly url?: string;
  readonly description?: string;
}

export interface ImportSnapshotRequest {
  readonly diskContainer: DiskContainerRequest;
  readonly description?: string;
  readonly tagSpecifications: readonly TagSpecificationRequest[];
}

export interface ImportImageRequest {
  readonly diskContainers: readonly DiskContainerRequest[];
  readonly architecture?: string;
  readonly description?: string;
  readonly bootMode?: string;
  readonly tagSpecifications: readonly TagSpecificationRequest[];
}

export interface AllocateHostsRequest {
  readonly instanceType?: string;
  readonly instanceFamily?: string;
  readonly availabilityZone: string;
  readonly quantity: number;
  readonly autoPlacement?: 'on' | 'off';
  readonly hostRecovery?: 'on' | 'off';
  readonly hostMaintenance?: 'on' | 'off';
  readonly tagSpecifications: readonly TagSpecificationRequest[];
  readonly clientToken?: string;
}

// ---- records ----------------------------------------------------------------------------------

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface InstanceRecord extends Mutable<Omit<FakeInstance, 'tags' | 'launchTime' | 'blockDevices'>> {
  tags: TagMap;
  blockDevices: { deviceName: string; volumeId: string; deleteOnTermination: boolean }[];
  readonly launchedAt: number;
  readonly vcpus: number;
  /** When a `pending` instance runs. */
  readyAt: number;
  /** When a `shutting-down` instance is `terminated`. */
  terminatedAt: number;
  /** When a `terminated` instance vanishes. */
  goneAt: number;
}

export interface VolumeRecord extends Mutable<Omit<FakeVolume, 'tags' | 'createTime'>> {
  tags: TagMap;
  readonly createdAt: number;
}

export interface ImageRecord extends Mutable<Omit<FakeImage, 'tags'>> {
  tags: TagMap;
  readyAt: number;
}

export interface SnapshotRecord extends Mutable<Omit<FakeSnapshot, 'tags' | 'startTime'>> {
  tags: TagMap;
  readonly startedAt: number;
}

export interface HostRecord extends Mutable<Omit<FakeHost, 'tags' | 'allocationTime' | 'releaseTime' | 'instanceIds'>> {
  tags: TagMap;
  readonly allocatedAt: number;
  releasedAt: number | null;
  readyAt: number;
  goneAt: number;
  readonly clientToken: string | null;
}

export interface ImportSnapshotTaskRecord extends Mutable<Omit<FakeImportSnapshotTask, 'tags'>> {
  tags: TagMap;
  doneAt: number;
}

export interface ImportImageTaskRecord extends Mutable<Omit<FakeImportImageTask, 'tags'>> {
  tags: TagMap;
  doneAt: number;
}

export interface TerminationResult {
  readonly instanceId: string;
  readonly previous: FakeInstanceState;
  readonly current: FakeInstanceState;
}

export interface ReleaseResult {
  readonly successful: string[];
  readonly unsuccessful: { readonly hostId: string; readonly code: string; readonly message: string }[];
}

// ---- helpers ----------------------------------------------------------------------------------

const STATE_CODES: Readonly<Record<FakeInstanceState, number>> = {
  pending: 0,
  running: 16,
  'shutting-down': 32,
  terminated: 48,
  stopping: 64,
  stopped: 80,
};

export const instanceStateCode = (state: FakeInstanceState): number => STATE_CODES[state];

const GIB = 1024 ** 3;
const VOLUME_TYPES = ['standard', 'gp2', 'gp3', 'io1', 'io2', 'st1', 'sc1'] as const;
const TAGGABLE_ON_RUN = ['instance', 'volume', 'network-interface', 'spot-instances-request'];
const ARCHITECTURES = ['i386', 'x86_64', 'arm64', 'x86_64_mac', 'arm64_mac'];
const SNAPSHOT_FORMATS = ['VHD', 'VMDK', 'RAW'];
const IMAGE_FORMATS = ['OVA', 'VHD', 'VHDX', 'VMDK', 'RAW'];
const VPC_ID = 'vpc-00000000000000001';

/** An ID of the shape EC2 uses (`i-` and 17 hex digits), or the old 8-digit one. */
const idPattern = (prefix: string): RegExp => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
const ID_PATTERNS = {
  instance: idPattern('i'),
  volume: idPattern('vol'),
  snapshot: idPattern('snap'),
  image: idPattern('ami'),
  host: /^h-[0-9a-f]{17}$/,
};

/** The live (not terminated) states: what counts against quotas and keeps volumes attached. */
const isLive = (instance: InstanceRecord): boolean => instance.state !== 'terminated';

/** Checks the tags of one resource the way CreateTags and TagSpecification do. */
export function checkTags(tags: ReadonlyMap<string, string>): void {
  if (tags.size > 50) throw new AwsApiError('TagLimitExceeded', 'The maximum number of tags per resource is 50.');
  for (const [key, value] of tags) {
    if (key === '') throw invalidValue('Tag.Key', key, 'Tag keys must not be empty');
    if (key.length > 128) throw invalidValue('Tag.Key', key, 'Tag keys are limited to 128 characters');
    if (value.length > 256) throw invalidValue('Tag.Value', value, 'Tag values are limited to 256 characters');
    if (key.toLowerCase().startsWith('aws:')) throw new AwsApiError('InvalidParameterValue', "Tag keys starting with 'aws:' are reserved for internal use");
  }
}

function tagsFor(specs: readonly TagSpecificationRequest[], resourceType: string): TagMap {
  const tags = new Map<string, string>();
  for (const spec of specs) if (spec.resourceType === resourceType) for (const [key, value] of spec.tags) tags.set(key, value);
  checkTags(tags);
  return tags;
}

function checkTagSpecifications(specs: readonly TagSpecificationRequest[], allowed: readonly string[]): void {
  for (const spec of specs) {
    if (!allowed.includes(spec.resourceType)) {
      throw new AwsApiError('InvalidParameterValue', `'${spec.resourceType}' is not a valid taggable resource type for this operation.`);
    }
  }
}

function notFound(kind: 'instance' | 'volume' | 'snapshot' | 'image' | 'host', ids: string[]): AwsApiError {
  const list = ids.join(', ');
  switch (kind) {
    case 'instance':
      return new AwsApiError('InvalidInstanceID.NotFound', ids.length === 1 ? `The instance ID '${list}' does not exist` : `The instance IDs '${list}' do not exist`);
    case 'volume':
      return new AwsApiError('InvalidVolume.NotFound', `The volume${ids.length === 1 ? '' : 's'} '${list}' does not exist.`);
    case 'snapshot':
      return new AwsApiError('InvalidSnapshot.NotFound', `The snapshot${ids.length === 1 ? '' : 's'} '${list}' does not exist.`);
    case 'image':
      return new AwsApiError('InvalidAMIID.NotFound', `The image id '[${list}]' does not exist`);
    case 'host':
      return new AwsApiError('InvalidHostID.NotFound', `The host ID${ids.length === 1 ? '' : 's'} '${list}' ${ids.length === 1 ? 'does' : 'do'} not exist`);
  }
}

const MALFORMED_CODES = {
  instance: 'InvalidInstanceID.Malformed',
  volume: 'InvalidVolumeID.Malformed',
  snapshot: 'InvalidSnapshotID.Malformed',
  image: 'InvalidAMIID.Malformed',
  host: 'InvalidHostID.Malformed',
} as const;

function checkId(kind: keyof typeof ID_PATTERNS, id: string): void {
  if (!ID_PATTERNS[kind].test(id)) throw new AwsApiError(MALFORMED_CODES[kind], `Invalid id: "${id}"`);
}

/** `us-east-1` → `use1`, the prefix of its zone IDs (`use1-az1`). */
export function zoneIdPrefix(region: string): string {
  const [area = '', direction = '', number = ''] = region.split('-');
  return `${area}${direction.charAt(0)}${number}`;
}

// ---- the model --------------------------------------------------------------------------------

/**
 * EC2's state and rules, without HTTP: instances and their volumes, AMIs, snapshots, dedicated
 * hosts and import tasks, with quotas checked at launch. Time is read from the clock when asked
 * (`settle()`), so a transition happens at the first look after its moment and a fake clock
 * drives everything in tests.
 */
export class Ec2Model {
  readonly instances = new Map<string, InstanceRecord>();
  readonly volumes = new Map<string, VolumeRecord>();
  readonly images = new Map<string, ImageRecord>();
  readonly snapshots = new Map<string, SnapshotRecord>();
  readonly hosts = new Map<string, HostRecord>();
  readonly importSnapshotTasks = new Map<string, ImportSnapshotTaskRecord>();
  readonly importImageTasks = new Map<string, ImportImageTaskRecord>();
  private readonly clientTokens = new Map<string, string[]>();
  // Never restarted, not even by clear(): an ID is never handed out twice by one fake.
  private readonly serials = new Map<string, number>();
  private addressSerial = 0;

  constructor(
    private readonly now: () => number,
    private readonly settings: () => FakeAwsSettings,
    private readonly s3: S3Model,
  ) {}

  clear(): void {
    for (const map of [this.instances, this.volumes, this.images, this.snapshots, this.hosts, this.importSnapshotTasks, this.importImageTasks, this.clientTokens]) {
      map.clear();
    }
  }

  private newId(prefix: string): string {
    const serial = (this.serials.get(prefix) ?? 0) + 1;
    this.serials.set(prefix, serial);
    return `${prefix}-${serial.toString(16).padStart(17, '0')}`;
  }

  // ---- time ---------------------------------------------------------------------------------

  /** Applies what the clock says has happened: boots, terminations, imports, host allocations. */
  settle(): void {
    const now = this.now();
    for (const instance of this.instances.values()) {
      if (instance.state === 'pending' && now >= instance.readyAt) instance.state = 'running';
      if (instance.state === 'shutting-down' && now >= instance.terminatedAt) this.finishTermination(instance);
      if (instance.state === 'terminated' && now >= instance.goneAt) this.instances.delete(instance.instanceId);
    }
    for (const host of this.hosts.values()) {
      if (host.state === 'pending' && now >= host.readyAt) host.state = 'available';
      if (host.state === 'released' && now >= host.goneAt) this.hosts.delete(host.hostId);
    }
    for (const image of this.images.values()) {
      if (image.state === 'pending' && now >= image.readyAt) image.state = 'available';
    }
    for (const task of this.importSnapshotTasks.values()) {
      if (task.status === 'active' && now >= task.doneAt) this.completeSnapshotImport(task);
    }
    for (const task of this.importImageTasks.values()) {
      if (task.status === 'active' && now >= task.doneAt) this.completeImageImport(task);
    }
  }

  private finishTermination(instance: InstanceRecord): void {
    instance.state = 'terminated';
    instance.goneAt = instance.terminatedAt + this.settings().terminatedRetentionMs;
    for (const device of instance.blockDevices) {
      const volume = this.volumes.get(device.volumeId);
      if (!volume) continue;
      if (device.deleteOnTermination) {
        this.volumes.delete(volume.volumeId);
      } else {
        volume.state = 'available';
        volume.attachment = null;
      }
    }
  }

  // ---- lookups ------------------------------------------------------------------------------

  instanceType(name: string): FakeInstanceType | undefined {
    return this.settings().instanceTypes.find((type) => type.name === name);
  }

  private zone(name: string | undefined): string {
    const { zones } = this.settings();
    if (name === undefined) return zones[0]!;
    if (!zones.includes(name)) throw new AwsApiError('InvalidParameterValue', `Invalid availability zone: [${name}]`);
    return name;
  }

  /** The default subnet of each zone: `subnet-…1` for the first zone, and so on. */
  defaultSubnets(): { subnetId: string; availabilityZone: string }[] {
    return this.settings().zones.map((availabilityZone, index) => ({ subnetId: `subnet-${(index + 1).toString(16).padStart(17, '0')}`, availabilityZone }));
  }

  /** Images visible to the account: its own and public ones. */
  private visibleImage(id: string): ImageRecord | undefined {
    const image = this.images.get(id);
    if (!image || (image.ownerId !== this.settings().accountId && !image.public)) return undefined;
    return image;
  }

  findInstances(ids: readonly string[]): InstanceRecord[] {
    for (const id of ids) checkId('instance', id);
    const missing = ids.filter((id) => !this.instances.has(id));
    if (missing.length > 0) throw notFound('instance', missing);
    return [...new Set(ids)].map((id) => this.instances.get(id)!);
  }

  findVolumes(ids: readonly string[]): VolumeRecord[] {
    for (const id of ids) checkId('volume', id);
    const missing = ids.filter((id) => !this.volumes.has(id));
    if (missing.length > 0) throw notFound('volume', missing);
    return [...new Set(ids)].map((id) => this.volumes.get(id)!);
  }

  findSnapshots(ids: readonly string[]): SnapshotRecord[] {
    for (const id of ids) checkId('snapshot', id);
    const missing = ids.filter((id) => !this.snapshots.has(id));
    if (missing.length > 0) throw notFound('snapshot', missing);
    return [...new Set(ids)].map((id) => this.snapshots.get(id)!);
  }

  findImages(ids: readonly string[]): ImageRecord[] {
    for (const id of ids) checkId('image', id);
    const missing = ids.filter((id) => !this.visibleImage(id));
    if (missing.length > 0) throw notFound('image', missing);
    return [...new Set(ids)].map((id) => this.images.get(id)!);
  }

  findHosts(ids: readonly string[]): HostRecord[] {
    for (const id of ids) checkId('host', id);
    const missing = ids.filter((id) => !this.hosts.has(id));
    if (missing.length > 0) throw notFound('host', missing);
    return [...new Set(ids)].map((id) => this.hosts.get(id)!);
  }

  visibleImages(): ImageRecord[] {
    return [...this.images.values()].filter((image) => this.visibleImage(image.imageId));
  }

  /** Instances placed on `hostId` and not terminated. */
  hostInstances(hostId: string): InstanceRecord[] {
    return [...this.instances.values()].filter((instance) => instance.hostId === hostId && isLive(instance));
  }

  // ---- instances ----------------------------------------------------------------------------

  runInstances(request: RunInstancesRequest): InstanceRecord[] {
    this.settle();
    const settings = this.settings();
    if (request.clientToken !== undefined) {
      const earlier = this.clientTokens.get(request.clientToken);
      // Idempotent: the same token gets the same instances back, however often it is sent.
      if (earlier) return earlier.map((id) => this.instances.get(id)).filter((instance): instance is InstanceRecord => instance !== undefined);
    }
    const type = this.instanceType(request.instanceType);
    if (!type) throw new AwsApiError('InvalidParameterValue', `Invalid value '${request.instanceType}' for InstanceType.`);
    if (request.minCount < 1) throw invalidValue('MinCount', request.minCount, 'MinCount must be at least 1');
    if (request.maxCount < request.minCount) throw invalidValue('MaxCount', request.maxCount, 'MaxCount must not be below MinCount');
    const image = this.findImages([request.imageId])[0]!;
    if (image.state !== 'available') throw new AwsApiError('InvalidAMIID.Unavailable', `The image id '[${image.imageId}]' is not available (state: ${image.state})`);
    if (image.architecture !== type.architecture) {
      throw new AwsApiError(
        'InvalidParameterValue',
        `The architecture '${type.architecture}' of the specified instance type does not match the architecture '${image.architecture}' of the specified AMI. Specify an instance type and an AMI that have matching architectures, and try again.`,
      );
    }
    checkTagSpecifications(request.tagSpecifications, TAGGABLE_ON_RUN);
    const instanceTags = tagsFor(request.tagSpecifications, 'instance');
    const volumeTags = tagsFor(request.tagSpecifications, 'volume');

    // Network: interfaces exclude the instance-level subnet and groups.
    if (request.networkInterfaces.length > 0 && request.subnetId !== undefined) {
      throw new AwsApiError('InvalidParameterCombination', 'Network interfaces and an instance-level subnet ID may not be specified on the same request');
    }
    if (request.networkInterfaces.length > 0 && request.securityGroupIds.length > 0) {
      throw new AwsApiError('InvalidParameterCombination', 'Network interfaces and an instance-level security groups may not be specified on the same request');
    }
    const nic = request.networkInterfaces.find((candidate) => (candidate.deviceIndex ?? 0) === 0) ?? request.networkInterfaces[0];
    if (nic && nic.networkInterfaceId === undefined && nic.deviceIndex === undefined) {
      throw new AwsApiError('InvalidParameterValue', 'Each network interface requires a device index.');
    }
    const subnetId = nic?.subnetId ?? request.subnetId;
    const subnet = this.defaultSubnets().find((candidate) => candidate.subnetId === subnetId);
    if (subnetId !== undefined && !/^subnet-[0-9a-f]+$/.test(subnetId)) throw new AwsApiError('InvalidSubnetID.Malformed', `Invalid subnet ID '${subnetId}'`);
    let availabilityZone = this.zone(request.placement?.availabilityZone ?? subnet?.availabilityZone);
    if (subnet && request.placement?.availabilityZone !== undefined && subnet.availabilityZone !== availabilityZone) {
      throw new AwsApiError('InvalidParameterValue', `Subnet ${subnet.subnetId} is in ${subnet.availabilityZone}, not in the requested ${availabilityZone}`);
    }
    const securityGroupIds = nic ? [...nic.groups] : [...request.securityGroupIds];
    const associatePublicIp = nic?.associatePublicIpAddress ?? true;
    const ipv6Count = nic?.ipv6AddressCount ?? 0;

    // Market and placement.
    if (request.marketType !== undefined && request.marketType !== 'spot') throw invalidValue('InstanceMarketOptions.MarketType', request.marketType);
    const market: MarketType = request.marketType === 'spot' ? 'spot' : 'on-demand';
    const tenancy = request.placement?.tenancy ?? (request.placement?.hostId ? 'host' : 'default');
    if (tenancy !== 'default' && tenancy !== 'dedicated' && tenancy !== 'host') throw invalidValue('Placement.Tenancy', tenancy);
    let host: HostRecord | undefined;
    if (tenancy === 'host') {
      if (market === 'spot') throw new AwsApiError('InvalidParameterCombination', 'Spot instances cannot be launched on a Dedicated Host');
      host = this.placeOnHost(type, request.placement?.hostId, request.maxCount, request.minCount, request.placement?.availabilityZone);
      availabilityZone = host.availabilityZone;
    }

    // Capacity, then quotas: how many of MinCount..MaxCount fit.
    if (settings.unavailableInstanceTypes.includes(type.name)) {
      const others = settings.zones.filter((zone) => zone !== availabilityZone);
      throw new AwsApiError(
        'InsufficientInstanceCapacity',
        `We currently do not have sufficient ${type.name} capacity in the Availability Zone you requested (${availabilityZone}). Our system will be working on provisioning additional capacity. You can currently get ${type.name} capacity by not specifying an Availability Zone in your request${others.length > 0 ? ` or choosing ${others.join(', ')}` : ''}.`,
      );
    }
    if (market === 'spot' && !settings.spotCapacity) {
      throw new AwsApiError('InsufficientInstanceCapacity', 'There is no Spot capacity available that matches your request.');
    }
    let count = request.maxCount;
    if (host) count = Math.min(count, this.hostRoom(host, type));
    if (settings.instanceLimit !== null) {
      const live = [...this.instances.values()].filter(isLive).length;
      count = Math.min(count, settings.instanceLimit - live);
      if (count < request.minCount) {
        throw new AwsApiError(
          'InstanceLimitExceeded',
          `You have requested more instances (${request.minCount}) than your current instance limit of ${settings.instanceLimit} allows for the specified instance type. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
        );
      }
    }
    // Instances on a dedicated host do not count against the On-Demand vCPU limits.
    const quotaCode = host ? null : instanceQuotaCode(type.name, market);
    if (quotaCode !== null && settings.quotas[quotaCode] !== undefined) {
      const limit = settings.quotas[quotaCode]!;
      const used = this.vcpusUsed(quotaCode);
      count = Math.min(count, Math.floor((limit - used) / type.vcpus));
      if (count < request.minCount) {
        if (market === 'spot') throw new AwsApiError('MaxSpotInstanceCountExceeded', 'Max spot instance count exceeded');
        throw new AwsApiError(
          'VcpuLimitExceeded',
          `You have requested more vCPU capacity than your current vCPU limit of ${limit} allows for the instance bucket that the specified instance type belongs to. Please visit http://aws.amazon.com/contact-us/ec2-request to request an adjustment to this limit.`,
        );
      }
    }

    const devices = this.blockDevicesFor(image, request.blockDeviceMappings);
    this.checkVolumeQuotas(devices, count);
    const iamInstanceProfileArn = this.instanceProfileArn(request.iamInstanceProfile);
    if (request.userData !== undefined && request.userData.length > 16384 * 4 / 3 + 4) {
      throw new AwsApiError('InvalidParameterValue', 'User data is limited to 16384 bytes');
    }

    const now = this.now();
    const reservationId = this.newId('r');
    const created: InstanceRecord[] = [];
    for (let index = 0; index < count; index++) {
      const instanceId = this.newId('i');
      const address = ++this.addressSerial;
      const instance: InstanceRecord = {
        instanceId,
        reservationId,
        imageId: image.imageId,
        instanceType: type.name,
        state: 'pending',
        stateReason: null,
        availabilityZone,
        subnetId: subnet?.subnetId ?? subnetId ?? this.defaultSubnets().find((candidate) => candidate.availabilityZone === availabilityZone)!.subnetId,
        vpcId: VPC_ID,
        privateIpAddress: settings.privateAddress ?? `10.0.${(address >> 8) & 255}.${address & 255}`,
        publicIpAddress: associatePublicIp ? (settings.publicAddress ?? `203.0.113.${((address - 1) % 254) + 1}`) : null,
        ipv6Addresses: Array.from({ length: ipv6Count }, (_, n) => `2600:1f18:0:${address.toString(16)}::${(n + 1).toString(16)}`),
        keyName: request.keyName ?? null,
        securityGroupIds,
        lifecycle: market === 'spot' ? 'spot' : null,
        ebsOptimized: request.ebsOptimized ?? false,
        userData: request.userData ?? null,
        iamInstanceProfileArn,
        metadataHttpTokens: request.metadataOptions?.httpTokens ?? 'optional',
        metadataHttpEndpoint: request.metadataOptions?.httpEndpoint ?? 'enabled',
        tenancy,
        hostId: host?.hostId ?? null,
        tags: new Map(instanceTags),
        blockDevices: [],
        launchedAt: now,
        vcpus: type.vcpus,
        readyAt: now + settings.bootDelayMs,
        terminatedAt: Infinity,
        goneAt: Infinity,
      };
      for (const device of devices) {
        const volume = this.createVolume({
          size: device.volumeSize,
          volumeType: device.volumeType,
          iops: device.iops,
          throughput: device.throughput,
          snapshotId: device.snapshotId,
          availabilityZone,
          tags: new Map(volumeTags),
        });
        volume.state = 'in-use';
        volume.attachment = { instanceId, device: device.deviceName, deleteOnTermination: device.deleteOnTermination };
        instance.blockDevices.push({ deviceName: device.deviceName, volumeId: volume.volumeId, deleteOnTermination: device.deleteOnTermination });
      }
      this.instances.set(instanceId, instance);
      created.push(instance);
    }
    if (request.clientToken !== undefined) this.clientTokens.set(request.clientToken, created.map((instance) => instance.instanceId));
    return created;
  }

  /** vCPUs of live instances counting against `quotaCode`. */
  vcpusUsed(quotaCode: string): number {
    let used = 0;
    for (const instance of this.instances.values()) {
      if (!isLive(instance) || instance.hostId !== null) continue;
      if (instanceQuotaCode(instance.instanceType, instance.lifecycle === 'spot' ? 'spot' : 'on-demand') === quotaCode) used += instance.vcpus;
    }
    return used;
  }

  private placeOnHost(type: FakeInstanceType, hostId: string | undefined, maxCount: number, minCount: number, zone: string | undefined): HostRecord {
    const fits = (host: HostRecord): boolean =>
      host.state === 'available' && (host.instanceType === null ? host.instanceFamily === type.name.split('.')[0] : host.instanceType === type.name);
    if (hostId === undefined) {
      const host = [...this.hosts.values()].find((candidate) => candidate.autoPlacement === 'on' && fits(candidate) && this.hostRoom(candidate, type) >= minCount && (zone === undefined || candidate.availabilityZone === zone));
      if (!host) throw new AwsApiError('InsufficientHostCapacity', 'There is no Dedicated Host capacity available to launch the instance.');
      return host;
    }
    const host = this.findHosts([hostId])[0]!;
    if (host.state !== 'available') throw new AwsApiError('IncorrectHostState', `The host '${host.hostId}' is in state ${host.state}; instances can only be launched on available hosts.`);
    if (!fits(host)) throw new AwsApiError('InvalidParameterValue', `Instance type ${type.name} is not supported on host '${host.hostId}' (${host.instanceType ?? `${host.instanceFamily} family`}).`);
    if (zone !== undefined && zone !== host.availabilityZone) {
      throw new AwsApiError('InvalidParameterCombination', `Host '${host.hostId}' is in ${host.availabilityZone}, not in the requested ${zone}.`);
    }
    if (this.hostRoom(host, type) < Math.min(minCount, maxCount)) {
      throw new AwsApiError('InsufficientHostCapacity', `There is not enough capacity on host '${host.hostId}' to launch ${minCount} ${type.name} instance(s).`);
    }
    return host;
  }

  /** How many more instances of `type` fit on `host`. */
  private hostRoom(host: HostRecord, type: FakeInstanceType): number {
    const used = this.hostInstances(host.hostId).reduce((sum, instance) => sum + instance.vcpus, 0);
    return Math.max(0, Math.floor((host.totalVcpus - used) / type.vcpus));
  }

  /** The image's block devices with the request's overrides, checked as EC2 checks them. */
  private blockDevicesFor(image: ImageRecord, requested: readonly BlockDeviceMappingRequest[]): FakeBlockDeviceMapping[] {
    const devices: FakeBlockDeviceMapping[] = [];
    const byName = new Map(requested.map((mapping) => [mapping.deviceName, mapping]));
    if (byName.size !== requested.length) throw new AwsApiError('InvalidBlockDeviceMapping', 'The device names of a block device mapping must be unique.');
    const names = new Set([...image.blockDeviceMappings.map((mapping) => mapping.deviceName), ...byName.keys()]);
    for (const deviceName of names) {
      const base = image.blockDeviceMappings.find((mapping) => mapping.deviceName === deviceName);
      const override = byName.get(deviceName);
      if (override?.noDevice || (override?.virtualName !== undefined && !override.ebs)) continue;
      const ebs = override?.ebs;
      if (override && !ebs) throw new AwsApiError('InvalidBlockDeviceMapping', `The block device mapping for ${deviceName} has neither Ebs, NoDevice nor VirtualName.`);
      const snapshotId = ebs?.snapshotId ?? base?.snapshotId ?? null;
      if (ebs?.encrypted !== undefined && snapshotId !== null) {
        throw new AwsApiError('InvalidBlockDeviceMapping', `the encrypted flag cannot be specified since device ${deviceName} has a snapshot specified.`);
      }
      const snapshot = snapshotId === null ? undefined : this.findSnapshots([snapshotId])[0];
      const volumeSize = ebs?.volumeSize ?? base?.volumeSize ?? snapshot?.volumeSize;
      if (volumeSize === undefined) throw new AwsApiError('InvalidBlockDeviceMapping', `The request must contain the parameter size or snapshotId for ${deviceName}.`);
      if (snapshot && volumeSize < snapshot.volumeSize) {
        throw new AwsApiError('InvalidBlockDeviceMapping', `Volume of size ${volumeSize}GB is smaller than snapshot '${snapshot.snapshotId}', expect size >= ${snapshot.volumeSize}GB`);
      }
      const volumeType = ebs?.volumeType ?? base?.volumeType ?? 'gp2';
      // An override of the type drops the image's IOPS and throughput unless given again.
      const sameType = ebs?.volumeType === undefined || ebs.volumeType === base?.volumeType;
      const iops = ebs?.iops ?? (sameType ? (base?.iops ?? null) : null);
      const throughput = ebs?.throughput ?? (sameType ? (base?.throughput ?? null) : null);
      checkVolumeSettings(volumeType, volumeSize, iops, throughput);
      devices.push({ deviceName, snapshotId, volumeSize, volumeType, iops, throughput, deleteOnTermination: ebs?.deleteOnTermination ?? base?.deleteOnTermination ?? true });
    }
    return devices;
  }

  private checkVolumeQuotas(devices: readonly FakeBlockDeviceMapping[], count: number): void {
    const { quotas } = this.settings();
    const wanted = new Map<string, { storage: number; iops: number }>();
    for (const device of devices) {
      const entry = wanted.get(device.volumeType) ?? { storage: 0, iops: 0 };
      entry.storage += device.volumeSize * count;
      entry.iops += (device.iops ?? 0) * count;
      wanted.set(device.volumeType, entry);
    }
    for (const [volumeType, want] of wanted) {
      const codes = VOLUME_QUOTA_CODES[volumeType];
      if (!codes) continue;
      const existing = [...this.volumes.values()].filter((volume) => volume.volumeType === volumeType);
      const storageLimit = quotas[codes.storage];
      // The quota is in TiB, volumes in GiB.
      if (storageLimit !== undefined && existing.reduce((sum, volume) => sum + volume.size, 0) + want.storage > storageLimit * 1024) {
        throw new AwsApiError('VolumeLimitExceeded', `You have exceeded your maximum ${volumeType} storage limit of ${storageLimit} TiB in this region. Please contact AWS Support to request an Elastic Block Store service limit increase.`);
      }
      const iopsLimit = codes.iops === undefined ? undefined : quotas[codes.iops];
      if (iopsLimit !== undefined && existing.reduce((sum, volume) => sum + (volume.iops ?? 0), 0) + want.iops > iopsLimit) {
        throw new AwsApiError('VolumeLimitExceeded', `You have exceeded your maximum ${volumeType} IOPS limit of ${iopsLimit} in this region. Please contact AWS Support to request an Elastic Block Store service limit increase.`);
      }
    }
  }

  private instanceProfileArn(profile: RunInstancesRequest['iamInstanceProfile']): string | null {
    if (!profile) return null;
    if (profile.arn !== undefined && profile.name !== undefined) {
      throw new AwsApiError('InvalidParameterCombination', 'The parameter iamInstanceProfile.name may not be used in combination with iamInstanceProfile.arn');
    }
    if (profile.arn !== undefined) {
      if (!/^arn:aws[a-z-]*:iam::\d{12}:instance-profile\/[\w+=,.@/-]+$/.test(profile.arn)) throw invalidValue('IamInstanceProfile.Arn', profile.arn);
      return profile.arn;
    }
    if (profile.name !== undefined) return `arn:aws:iam::${this.settings().accountId}:instance-profile/${profile.name}`;
    throw missingParameter('IamInstanceProfile.Name or IamInstanceProfile.Arn');
  }

  terminateInstances(ids: readonly string[], reason = { code: 'Client.UserInitiatedShutdown', message: 'Client.UserInitiatedShutdown: User initiated shutdown' }): TerminationResult[] {
    this.settle();
    const instances = this.findInstances(ids);
    const now = this.now();
    return instances.map((instance) => {
      const previous = instance.state;
      if (previous !== 'shutting-down' && previous !== 'terminated') {
        instance.state = 'shutting-down';
        instance.stateReason = reason;
        instance.terminatedAt = now + this.settings().shutdownDelayMs;
      }
      return { instanceId: instance.instanceId, previous, current: instance.state };
    });
  }

  /** An instance made behind the API's back; it keeps its state until terminated. */
  addInstance(request: AddInstanceRequest): InstanceRecord {
    this.settle();
    const settings = this.settings();
    const typeName = request.instanceType ?? settings.instanceTypes[0]!.name;
    const type = this.instanceType(typeName);
    if (!type) throw new FakeAwsUsageError(`unknown instance type ${typeName}`);
    const availabilityZone = request.availabilityZone ?? settings.zones[0]!;
    if (!settings.zones.includes(availabilityZone)) throw new FakeAwsUsageError(`unknown availability zone ${availabilityZone}`);
    const state = request.state ?? 'running';
    if (!(state in STATE_CODES)) throw new FakeAwsUsageError(`state must be one of ${Object.keys(STATE_CODES).join(', ')}`);
    const tags = new Map(Object.entries(request.tags ?? {}));
    const now = this.now();
    const instanceId = this.newId('i');
    const address = ++this.addressSerial;
    const instance: InstanceRecord = {
      instanceId,
      reservationId: this.newId('r'),
      imageId: request.imageId ?? 'ami-00000000000ab0001',
      instanceType: type.name,
      state,
      stateReason: null,
      availabilityZone,
      subnetId: this.defaultSubnets().find((subnet) => subnet.availabilityZone === availabilityZone)!.subnetId,
      vpcId: VPC_ID,
      privateIpAddress: settings.privateAddress ?? `10.0.${(address >> 8) & 255}.${address & 255}`,
      publicIpAddress: settings.publicAddress ?? `203.0.113.${((address - 1) % 254) + 1}`,
      ipv6Addresses: [],
      keyName: null,
      securityGroupIds: [],
      lifecycle: request.spot ? 'spot' : null,
      ebsOptimized: false,
      userData: null,
      iamInstanceProfileArn: null,
      metadataHttpTokens: 'optional',
      metadataHttpEndpoint: 'enabled',
      tenancy: 'default',
      hostId: null,
      tags,
      blockDevices: [],
      launchedAt: now,
      vcpus: type.vcpus,
      readyAt: Infinity,
      terminatedAt: state === 'shutting-down' ? now + settings.shutdownDelayMs : Infinity,
      goneAt: state === 'terminated' ? now + settings.terminatedRetentionMs : Infinity,
    };
    if (request.rootVolume !== false && state !== 'terminated') {
      const volume = this.createVolume({ size: request.volumeSize ?? 8, volumeType: 'gp2', iops: null, throughput: null, snapshotId: null, availabilityZone, tags: new Map(tags) });
      volume.state = 'in-use';
      volume.attachment = { instanceId, device: '/dev/xvda', deleteOnTermination: true };
      instance.blockDevices.push({ deviceName: '/dev/xvda', volumeId: volume.volumeId, deleteOnTermination: true });
    }
    this.instances.set(instanceId, instance);
    return instance;
  }

  // ---- volumes ------------------------------------------------------------------------------

  private createVolume(spec: { size: number; volumeType: string; iops: number | null; throughput: number | null; snapshotId: string | null; availabilityZone: string; tags: TagMap }): VolumeRecord {
    const volume: VolumeRecord = {
      volumeId: this.newId('vol'),
      size: spec.size,
      volumeType: spec.volumeType,
      iops: spec.iops ?? (spec.volumeType === 'gp2' ? Math.min(16000, Math.max(100, spec.size * 3)) : spec.volumeType === 'gp3' ? 3000 : null),
      throughput: spec.throughput ?? (spec.volumeType === 'gp3' ? 125 : null),
      snapshotId: spec.snapshotId,
      availabilityZone: spec.availabilityZone,
      state: 'available',
      attachment: null,
      tags: spec.tags,
      createdAt: this.now(),
    };
    this.volumes.set(volume.volumeId, volume);
    return volume;
  }

  deleteVolume(id: string): void {
    this.settle();
    const volume = this.findVolumes([id])[0]!;
    if (volume.state === 'in-use' || volume.attachment) {
      throw new AwsApiError('VolumeInUse', `Volume ${volume.volumeId} is currently attached to ${volume.attachment?.instanceId ?? 'an instance'}`);
    }
    this.volumes.delete(volume.volumeId);
  }

  addVolume(request: AddVolumeRequest): VolumeRecord {
    const settings = this.settings();
    const availabilityZone = request.availabilityZone ?? settings.zones[0]!;
    if (!settings.zones.includes(availabilityZone)) throw new FakeAwsUsageError(`unknown availability zone ${availabilityZone}`);
    const volumeType = request.volumeType ?? 'gp2';
    if (!(VOLUME_TYPES as readonly string[]).includes(volumeType)) throw new FakeAwsUsageError(`volumeType must be one of ${VOLUME_TYPES.join(', ')}`);
    return this.createVolume({
      size: request.size ?? 8,
      volumeType,
      iops: null,
      throughput: null,
      snapshotId: request.snapshotId ?? null,
      availabilityZone,
      tags: new Map(Object.entries(request.tags ?? {})),
    });
  }

  // ---- images and snapshots -----------------------------------------------------------------

  registerImage(request: RegisterImageRequest): ImageRecord {
    this.settle();
    const { accountId, imageDelayMs } = this.settings();
    if (!/^[a-zA-Z0-9()[\] ./\-'@_]{3,128}$/.test(request.name)) {
      throw new AwsApiError('InvalidAMIName.Malformed', "AMI names must be between 3 and 128 characters long, and may contain letters, numbers, '(', ')', '.', '-', '/' and '_'");
    }
    const duplicate = [...this.images.values()].find((image) => image.ownerId === accountId && image.name === request.name);
    if (duplicate) throw new AwsApiError('InvalidAMIName.Duplicate', `AMI name ${request.name} is already in use by AMI ${duplicate.imageId}`);
    const architecture = request.architecture ?? 'x86_64';
    if (!ARCHITECTURES.includes(architecture)) throw invalidValue('Architecture', architecture);
    if (request.virtualizationType !== undefined && request.virtualizationType !== 'hvm' && request.virtualizationType !== 'paravirtual') {
      throw invalidValue('VirtualizationType', request.virtualizationType);
    }
    if (request.bootMode !== undefined && !['legacy-bios', 'uefi', 'uefi-preferred'].includes(request.bootMode)) throw invalidValue('BootMode', request.bootMode);
    if (request.imdsSupport !== undefined && request.imdsSupport !== 'v2.0') throw invalidValue('ImdsSupport', request.imdsSupport);
    checkTagSpecifications(request.tagSpecifications, ['image', 'snapshot']);
    if (request.blockDeviceMappings.length === 0) throw missingParameter('BlockDeviceMapping');
    const mappings: FakeBlockDeviceMapping[] = [];
    for (const mapping of request.blockDeviceMappings) {
      if (mapping.noDevice || !mapping.ebs) continue;
      const snapshotId = mapping.ebs.snapshotId ?? null;
      const snapshot = snapshotId === null ? undefined : this.findSnapshots([snapshotId])[0]!;
      if (snapshot && snapshot.ownerId !== accountId) throw new AwsApiError('InvalidSnapshot.NotFound', `The snapshot '${snapshot.snapshotId}' does not exist.`);
      if (snapshot && snapshot.state !== 'completed') throw new AwsApiError('IncorrectState', `Snapshot '${snapshot.snapshotId}' is not 'completed'.`);
      const volumeSize = mapping.ebs.volumeSize ?? snapshot?.volumeSize;
      if (volumeSize === undefined) throw new AwsApiError('InvalidBlockDeviceMapping', `The request must contain the parameter size or snapshotId for ${mapping.deviceName}.`);
      if (snapshot && volumeSize < snapshot.volumeSize) {
        throw new AwsApiError('InvalidBlockDeviceMapping', `Volume of size ${volumeSize}GB is smaller than snapshot '${snapshot.snapshotId}', expect size >= ${snapshot.volumeSize}GB`);
      }
      const volumeType = mapping.ebs.volumeType ?? 'gp2';
      checkVolumeSettings(volumeType, volumeSize, mapping.ebs.iops ?? null, mapping.ebs.throughput ?? null);
      mappings.push({
        deviceName: mapping.deviceName,
        snapshotId,
        volumeSize,
        volumeType,
        deleteOnTermination: mapping.ebs.deleteOnTermination ?? true,
        iops: mapping.ebs.iops ?? null,
        throughput: mapping.ebs.throughput ?? null,
      });
    }
    const rootDeviceName = request.rootDeviceName ?? mappings[0]?.deviceName ?? '/dev/sda1';
    if (!mappings.some((mapping) => mapping.deviceName === rootDeviceName)) {
      throw new AwsApiError('InvalidBlockDeviceMapping', `The root device name ${rootDeviceName} has no block device mapping with an EBS volume.`);
    }
    const imageTags = tagsFor(request.tagSpecifications, 'image');
    const snapshotTags = tagsFor(request.tagSpecifications, 'snapshot');
    for (const mapping of mappings) {
      const snapshot = mapping.snapshotId === null ? undefined : this.snapshots.get(mapping.snapshotId);
      if (snapshot) for (const [key, value] of snapshotTags) snapshot.tags.set(key, value);
    }
    const now = this.now();
    const image: ImageRecord = {
      imageId: this.newId('ami'),
      name: request.name,
      description: request.description ?? null,
      ownerId: accountId,
      public: false,
      state: 'pending',
      architecture,
      creationDate: new Date(now).toISOString(),
      rootDeviceName,
      blockDeviceMappings: mappings,
      enaSupport: request.enaSupport ?? false,
      bootMode: request.bootMode ?? null,
      imdsSupport: request.imdsSupport ?? null,
      tags: imageTags,
      readyAt: now + imageDelayMs,
    };
    this.images.set(image.imageId, image);
    return image;
  }

  /** Removes an AMI (its snapshots stay, unless asked to go too); returns the snapshots deleted. */
  deregisterImage(id: string, deleteAssociatedSnapshots = false): string[] {
    this.settle();
    const image = this.findImages([id])[0]!;
    if (image.ownerId !== this.settings().accountId) throw new AwsApiError('AuthFailure', `Not authorized for image:${image.imageId}`);
    this.images.delete(image.imageId);
    if (!deleteAssociatedSnapshots) return [];
    const deleted: string[] = [];
    for (const mapping of image.blockDeviceMappings) {
      if (mapping.snapshotId !== null && this.snapshots.delete(mapping.snapshotId)) deleted.push(mapping.snapshotId);
    }
    return deleted;
  }

  deleteSnapshot(id: string): void {
    this.settle();
    const snapshot = this.findSnapshots([id])[0]!;
    if (snapshot.ownerId !== this.settings().accountId) throw new AwsApiError('UnauthorizedOperation', `You are not authorized to delete snapshot ${snapshot.snapshotId}.`);
    const user = [...this.images.values()].find((image) => image.blockDeviceMappings.some((mapping) => mapping.snapshotId === snapshot.snapshotId));
    if (user) throw new AwsApiError('InvalidSnapshot.InUse', `The snapshot ${snapshot.snapshotId} is currently in use by ${user.imageId}`);
    this.snapshots.delete(snapshot.snapshotId);
  }

  private createSnapshot(spec: { volumeSize: number; ownerId: string; description: string; tags: TagMap }): SnapshotRecord {
    const snapshot: SnapshotRecord = {
      snapshotId: this.newId('snap'),
      volumeSize: spec.volumeSize,
      ownerId: spec.ownerId,
      description: spec.description,
      state: 'completed',
      volumeId: 'vol-ffffffff',
      tags: spec.tags,
      startedAt: this.now(),
    };
    this.snapshots.set(snapshot.snapshotId, snapshot);
    return snapshot;
  }

  addSnapshot(request: AddSnapshotRequest): SnapshotRecord {
    return this.createSnapshot({
      volumeSize: request.volumeSize ?? 8,
      ownerId: request.ownerId ?? this.settings().accountId,
      description: request.description ?? '',
      tags: new Map(Object.entries(request.tags ?? {})),
    });
  }

  addImage(request: AddImageRequest): ImageRecord {
    const { accountId } = this.settings();
    if (typeof request.name !== 'string' || request.name === '') throw new FakeAwsUsageError('an image needs a name');
    const imageId = request.imageId ?? this.newId('ami');
    if (!ID_PATTERNS.image.test(imageId)) throw new FakeAwsUsageError(`imageId ${imageId} is not of the form ami-<17 hex digits>`);
    if (this.images.has(imageId)) throw new FakeAwsUsageError(`image ${imageId} already exists`);
    const ownerId = request.ownerId ?? accountId;
    const tags = new Map(Object.entries(request.tags ?? {}));
    let snapshotId = request.snapshotId;
    if (snapshotId === undefined) {
      snapshotId = this.createSnapshot({ volumeSize: request.volumeSize ?? 8, ownerId, description: `Created by CreateImage for ${imageId}`, tags: new Map(tags) }).snapshotId;
    } else if (!this.snapshots.has(snapshotId)) {
      throw new FakeAwsUsageError(`snapshot ${snapshotId} does not exist`);
    }
    const architecture = request.architecture ?? 'x86_64';
    if (!ARCHITECTURES.includes(architecture)) throw new FakeAwsUsageError(`architecture must be one of ${ARCHITECTURES.join(', ')}`);
    const creationDate = request.creationDate ?? new Date(this.now()).toISOString();
    if (Number.isNaN(Date.parse(creationDate))) throw new FakeAwsUsageError(`creationDate ${creationDate} is not a date`);
    const image: ImageRecord = {
      imageId,
      name: request.name,
      description: request.description ?? null,
      ownerId,
      public: request.public ?? ownerId !== accountId,
      state: 'available',
      architecture,
      creationDate,
      rootDeviceName: '/dev/sda1',
      blockDeviceMappings: [
        { deviceName: '/dev/sda1', snapshotId, volumeSize: request.volumeSize ?? this.snapshots.get(snapshotId)!.volumeSize, volumeType: 'gp2', deleteOnTermination: true, iops: null, throughput: null },
      ],
      enaSupport: true,
      bootMode: null,
      imdsSupport: null,
      tags,
      readyAt: 0,
    };
    this.images.set(imageId, image);
    return image;
  }

  // ---- tags ---------------------------------------------------------------------------------

  /** The tags of any taggable resource by ID, as CreateTags and DeleteTags find them. */
  private taggable(id: string): { tags: TagMap } {
    this.settle();
    const lookups: [string, () => { tags: TagMap } | undefined, () => AwsApiError][] = [
      ['import-snap-', () => this.importSnapshotTasks.get(id), () => new AwsApiError('InvalidID', `The ID '${id}' is not valid`)],
      ['import-ami-', () => this.importImageTasks.get(id), () => new AwsApiError('InvalidID', `The ID '${id}' is not valid`)],
      ['i-', () => this.instances.get(id), () => notFound('instance', [id])],
      ['vol-', () => this.volumes.get(id), () => notFound('volume', [id])],
      ['snap-', () => this.snapshots.get(id), () => notFound('snapshot', [id])],
      ['ami-', () => this.visibleImage(id), () => notFound('image', [id])],
      ['h-', () => this.hosts.get(id), () => notFound('host', [id])],
    ];
    const lookup = lookups.find(([prefix]) => id.startsWith(prefix));
    if (!lookup) throw new AwsApiError('InvalidID', `The ID '${id}' is not valid`);
    const resource = lookup[1]();
    if (!resource) throw lookup[2]();
    return resource;
  }

  createTags(resourceIds: readonly string[], tags: TagMap): void {
    if (resourceIds.length === 0) throw missingParameter('ResourceId');
    const resources = resourceIds.map((id) => this.taggable(id));
    // All or nothing: every resource is checked before any is changed.
    for (const resource of resources) checkTags(new Map([...resource.tags, ...tags]));
    for (const resource of resources) for (const [key, value] of tags) resource.tags.set(key, value);
  }

  /** Removes tags by key, or by key and value when a value is given. */
  deleteTags(resourceIds: readonly string[], tags: readonly { key: string; value?: string }[]): void {
    if (resourceIds.length === 0) throw missingParameter('ResourceId');
    const resources = resourceIds.map((id) => this.taggable(id));
    for (const resource of resources) {
      if (tags.length === 0) resource.tags.clear();
      for (const { key, value } of tags) if (value === undefined || resource.tags.get(key) === value) resource.tags.delete(key);
    }
  }

  // ---- imports ------------------------------------------------------------------------------

  private diskSource(container: DiskContainerRequest, path: string): { format: string; bucket: string; key: string } {
    let bucket = container.bucket;
    let key = container.key;
    if (container.url !== undefined) {
      const match = /^s3:\/\/([^/]+)\/(.+)$/.exec(container.url);
      if (!match) throw new AwsApiError('InvalidParameter', `${path}.Url must be an s3:// URL in this fake, not '${container.url}'`);
      [, bucket, key] = match as unknown as [string, string, string];
    }
    if (bucket === undefined) throw missingParameter(`${path}.UserBucket.S3Bucket`);
    if (key === undefined) throw missingParameter(`${path}.UserBucket.S3Key`);
    if (container.format === undefined) throw missingParameter(`${path}.Format`);
    return { format: container.format.toUpperCase(), bucket, key };
  }

  private activeImports(tasks: Iterable<{ status: FakeImportStatus }>, kind: string): void {
    const limit = this.settings().maxActiveImportTasks;
    if (limit === null) return;
    const active = [...tasks].filter((task) => task.status === 'active').length;
    if (active >= limit) throw new AwsApiError('ResourceCountLimitExceeded', `You have reached the maximum number of active ${kind} tasks (${limit}). Wait for some of them to finish and try again.`);
  }

  importSnapshot(request: ImportSnapshotRequest): ImportSnapshotTaskRecord {
    this.settle();
    const source = this.diskSource(request.diskContainer, 'DiskContainer');
    if (!SNAPSHOT_FORMATS.includes(source.format)) throw invalidValue('DiskContainer.Format', request.diskContainer.format, `Valid values: ${SNAPSHOT_FORMATS.join(', ')}`);
    checkTagSpecifications(request.tagSpecifications, ['import-snapshot-task']);
    const tags = tagsFor(request.tagSpecifications, 'import-snapshot-task');
    this.activeImports(this.importSnapshotTasks.values(), 'import snapshot');
    const task: ImportSnapshotTaskRecord = {
      importTaskId: this.newId('import-snap'),
      description: request.description ?? request.diskContainer.description ?? null,
      status: 'active',
      statusMessage: 'pending',
      ...source,
      diskImageSize: null,
      snapshotId: null,
      tags,
      doneAt: this.now() + this.settings().importDelayMs,
    };
    this.importSnapshotTasks.set(task.importTaskId, task);
    return task;
  }

  importImage(request: ImportImageRequest): ImportImageTaskRecord {
    this.settle();
    if (request.diskContainers.length === 0) throw missingParameter('DiskContainer');
    if (request.diskContainers.length > 1) throw new AwsApiError('InvalidParameter', 'This fake imports images of one disk only.');
    const source = this.diskSource(request.diskContainers[0]!, 'DiskContainer.1');
    if (!IMAGE_FORMATS.includes(source.format)) throw invalidValue('DiskContainer.1.Format', request.diskContainers[0]!.format, `Valid values: ${IMAGE_FORMATS.join(', ')}`);
    const architecture = request.architecture ?? 'x86_64';
    if (!['i386', 'x86_64', 'arm64'].includes(architecture)) throw invalidValue('Architecture', architecture);
    if (request.bootMode !== undefined && !['legacy-bios', 'uefi', 'uefi-preferred'].includes(request.bootMode)) throw invalidValue('BootMode', request.bootMode);
    checkTagSpecifications(request.tagSpecifications, ['import-image-task']);
    const tags = tagsFor(request.tagSpecifications, 'import-image-task');
    this.activeImports(this.importImageTasks.values(), 'import image');
    const task: ImportImageTaskRecord = {
      importTaskId: this.newId('import-ami'),
      description: request.description ?? null,
      status: 'active',
      statusMessage: 'pending',
      ...source,
      architecture,
      bootMode: request.bootMode ?? null,
      diskImageSize: null,
      imageId: null,
      snapshotId: null,
      tags,
      doneAt: this.now() + this.settings().importDelayMs,
    };
    this.importImageTasks.set(task.importTaskId, task);
    return task;
  }

  /** The object is read when the import runs, so deleting it before then fails the import. */
  private readImportSource(task: { bucket: string; key: string; status: FakeImportStatus; statusMessage: string | null }): number | undefined {
    const object = this.s3.findObject(task.bucket, task.key);
    if (object) return object.body.length;
    task.status = 'deleted';
    task.statusMessage = `ClientError: The specified S3 object s3://${task.bucket}/${task.key} does not exist or cannot be read.`;
    return undefined;
  }

  private completeSnapshotImport(task: ImportSnapshotTaskRecord): void {
    const size = this.readImportSource(task);
    if (size === undefined) return;
    const { accountId, tagImportResults } = this.settings();
    const snapshot = this.createSnapshot({
      volumeSize: Math.max(1, Math.ceil(size / GIB)),
      ownerId: accountId,
      description: `Created by AWS-VMImport service for ${task.importTaskId}`,
      tags: tagImportResults ? new Map(task.tags) : new Map(),
    });
    task.status = 'completed';
    task.statusMessage = null;
    task.diskImageSize = size;
    task.snapshotId = snapshot.snapshotId;
  }

  private completeImageImport(task: ImportImageTaskRecord): void {
    const size = this.readImportSource(task);
    if (size === undefined) return;
    const { accountId, tagImportResults } = this.settings();
    const snapshot = this.createSnapshot({
      volumeSize: Math.max(1, Math.ceil(size / GIB)),
      ownerId: accountId,
      description: `Created by AWS-VMImport service for ${task.importTaskId}`,
      tags: tagImportResults ? new Map(task.tags) : new Map(),
    });
    const image: ImageRecord = {
      imageId: this.newId('ami'),
      // As in real EC2, an imported AMI is named after its task, which is how the original
      // adapter finds the task (and its tags) of an untagged import.
      name: task.importTaskId,
      description: `AWS-VMImport service: ${task.importTaskId}`,
      ownerId: accountId,
      public: false,
      state: 'available',
      architecture: task.architecture,
      creationDate: new Date(this.now()).toISOString(),
      rootDeviceName: '/dev/sda1',
      blockDeviceMappings: [{ deviceName: '/dev/sda1', snapshotId: snapshot.snapshotId, volumeSize: snapshot.volumeSize, volumeType: 'gp2', deleteOnTermination: true, iops: null, throughput: null }],
      enaSupport: true,
      bootMode: task.bootMode,
      imdsSupport: null,
      tags: tagImportResults ? new Map(task.tags) : new Map(),
      readyAt: 0,
    };
    this.images.set(image.imageId, image);
    task.status = 'completed';
    task.statusMessage = null;
    task.diskImageSize = size;
    task.snapshotId = snapshot.snapshotId;
    task.imageId = image.imageId;
  }

  findImportTasks<T extends { importTaskId: string }>(tasks: Map<string, T>, ids: readonly string[]): T[] {
    this.settle();
    if (ids.length === 0) return [...tasks.values()];
    return ids.map((id) => {
      const task = tasks.get(id);
      // What EC2 answers for a task ID it does not know (a finished task is forgotten after a while).
      if (!task) throw new AwsApiError('InvalidConversionTaskId.Malformed', `The import task ID '${id}' is not valid`);
      return task;
    });
  }

  // ---- dedicated hosts ----------------------------------------------------------------------

  allocateHosts(request: AllocateHostsRequest): HostRecord[] {
    this.settle();
    const settings = this.settings();
    if (request.instanceType !== undefined && request.instanceFamily !== undefined) {
      throw new AwsApiError('InvalidParameterCombination', 'Specify either InstanceType or InstanceFamily, not both.');
    }
    if (request.instanceType === undefined && request.instanceFamily === undefined) throw missingParameter('InstanceType or InstanceFamily');
    if (request.clientToken !== undefined) {
      const earlier = [...this.hosts.values()].filter((host) => host.clientToken === request.clientToken);
      if (earlier.length > 0) return earlier;
    }
    const availabilityZone = this.zone(request.availabilityZone);
    if (request.quantity < 1) throw invalidValue('Quantity', request.quantity);
    let family: string;
    let totalVcpus: number;
    if (request.instanceType !== undefined) {
      const type = this.instanceType(request.instanceType);
      if (!type) throw new AwsApiError('InvalidParameterValue', `Invalid value '${request.instanceType}' for InstanceType.`);
      family = type.name.split('.')[0]!;
      totalVcpus = type.hostVcpus ?? 96;
      if (settings.unavailableInstanceTypes.includes(type.name)) {
        throw new AwsApiError('InsufficientHostCapacity', `There is not enough capacity to fulfill your Dedicated Host request for ${type.name} in ${availabilityZone}.`);
      }
    } else {
      family = request.instanceFamily!;
      const types = settings.instanceTypes.filter((type) => type.name.split('.')[0] === family);
      if (types.length === 0) throw new AwsApiError('InvalidParameterValue', `Invalid value '${family}' for InstanceFamily.`);
      totalVcpus = Math.max(...types.map((type) => type.hostVcpus ?? 96));
    }
    checkTagSpecifications(request.tagSpecifications, ['dedicated-host']);
    const tags = tagsFor(request.tagSpecifications, 'dedicated-host');
    const quotaCode = hostQuotaCode(family);
    const limit = quotaCode === null ? undefined : settings.quotas[quotaCode];
    if (limit !== undefined) {
      const used = [...this.hosts.values()].filter((host) => host.instanceFamily === family && !host.state.startsWith('released')).length;
      if (used + request.quantity > limit) {
        throw new AwsApiError('HostLimitExceeded', `You have requested more Dedicated Hosts than your current limit of ${limit} allows for the ${family} instance family.`);
      }
    }
    const now = this.now();
    const hosts: HostRecord[] = [];
    for (let index = 0; index < request.quantity; index++) {
      const host: HostRecord = {
        hostId: this.newId('h'),
        instanceType: request.instanceType ?? null,
        instanceFamily: family,
        availabilityZone,
        state: 'pending',
        autoPlacement: request.autoPlacement ?? 'off',
        hostRecovery: request.hostRecovery ?? 'off',
        hostMaintenance: request.hostMaintenance ?? 'on',
        totalVcpus,
        tags: new Map(tags),
        allocatedAt: now,
        releasedAt: null,
        readyAt: now + settings.hostDelayMs,
        goneAt: Infinity,
        clientToken: request.clientToken ?? null,
      };
      this.hosts.set(host.hostId, host);
      hosts.push(host);
    }
    return hosts;
  }

  releaseHosts(ids: readonly string[]): ReleaseResult {
    this.settle();
    const result: ReleaseResult = { successful: [], unsuccessful: [] };
    const now = this.now();
    for (const hostId of ids) {
      const host = this.hosts.get(hostId);
      if (!ID_PATTERNS.host.test(hostId)) {
        result.unsuccessful.push({ hostId, code: 'Client.InvalidHostID.Malformed', message: `Invalid id: "${hostId}"` });
      } else if (!host) {
        result.unsuccessful.push({ hostId, code: 'Client.InvalidHostID.NotFound', message: `The host ID '${hostId}' does not exist` });
      } else if (host.state.startsWith('released')) {
        result.unsuccessful.push({ hostId, code: 'Client.InvalidHostState', message: `Host '${hostId}' is already released` });
      } else if (this.hostInstances(hostId).length > 0) {
        result.unsuccessful.push({ hostId, code: 'Client.InvalidHostState', message: `Host '${hostId}' has running instances and cannot be released` });
      } else {
        host.state = 'released';
        host.releasedAt = now;
        host.goneAt = now + this.settings().terminatedRetentionMs;
        result.successful.push(hostId);
      }
    }
    return result;
  }

  addHost(request: AddHostRequest): HostRecord {
    const type = this.instanceType(request.instanceType);
    if (!type) throw new FakeAwsUsageError(`unknown instance type ${request.instanceType}`);
    const settings = this.settings();
    const availabilityZone = request.availabilityZone ?? settings.zones[0]!;
    if (!settings.zones.includes(availabilityZone)) throw new FakeAwsUsageError(`unknown availability zone ${availabilityZone}`);
    const host: HostRecord = {
      hostId: this.newId('h'),
      instanceType: type.name,
      instanceFamily: type.name.split('.')[0]!,
      availabilityZone,
      state: 'available',
      autoPlacement: 'off',
      hostRecovery: 'off',
      hostMaintenance: 'on',
      totalVcpus: type.hostVcpus ?? 96,
      tags: new Map(Object.entries(request.tags ?? {})),
      allocatedAt: this.now(),
      releasedAt: null,
      readyAt: 0,
      goneAt: Infinity,
      clientToken: null,
    };
    this.hosts.set(host.hostId, host);
    return host;
  }

  // ---- views --------------------------------------------------------------------------------

  instanceView(record: InstanceRecord): FakeInstance {
    const { tags, blockDevices, launchedAt: _l, vcpus: _v, readyAt: _r, terminatedAt: _t, goneAt: _g, ...rest } = record;
    return structuredClone({ ...rest, launchTime: new Date(record.launchedAt).toISOString(), blockDevices, tags: Object.fromEntries(tags) });
  }

  volumeView(record: VolumeRecord): FakeVolume {
    const { tags, createdAt, ...rest } = record;
    return structuredClone({ ...rest, state: rest.state as FakeVolumeState, createTime: new Date(createdAt).toISOString(), tags: Object.fromEntries(tags) });
  }

  imageView(record: ImageRecord): FakeImage {
    const { tags, readyAt: _r, ...rest } = record;
    return structuredClone({ ...rest, tags: Object.fromEntries(tags) });
  }

  snapshotView(record: SnapshotRecord): FakeSnapshot {
    const { tags, startedAt, ...rest } = record;
    return structuredClone({ ...rest, startTime: new Date(startedAt).toISOString(), tags: Object.fromEntries(tags) });
  }

  hostView(record: HostRecord): FakeHost {
    const { tags, allocatedAt, releasedAt, readyAt: _r, goneAt: _g, clientToken: _c, ...rest } = record;
    return structuredClone({
      ...rest,
      state: rest.state as FakeHostState,
      allocationTime: new Date(allocatedAt).toISOString(),
      releaseTime: releasedAt === null ? null : new Date(releasedAt).toISOString(),
      instanceIds: this.hostInstances(record.hostId).map((instance) => instance.instanceId),
      tags: Object.fromEntries(tags),
    });
  }

  importSnapshotTaskView(record: ImportSnapshotTaskRecord): FakeImportSnapshotTask {
    const { tags, doneAt: _d, ...rest } = record;
    return structuredClone({ ...rest, tags: Object.fromEntries(tags) });
  }

  importImageTaskView(record: ImportImageTaskRecord): FakeImportImageTask {
    const { tags, doneAt: _d, ...rest } = record;
    return structuredClone({ ...rest, tags: Object.fromEntries(tags) });
  }
}

/** The IOPS and throughput rules of EBS volume types. */
function checkVolumeSettings(volumeType: string, size: number, iops: number | null, throughput: number | null): void {
  if (!(VOLUME_TYPES as readonly string[]).includes(volumeType)) throw invalidValue('VolumeType', volumeType, `Valid values: ${VOLUME_TYPES.join(', ')}`);
  if (!Number.isInteger(size) || size < 1 || size > 65536) throw invalidValue('VolumeSize', size);
  const provisioned = volumeType === 'io1' || volumeType === 'io2';
  if (provisioned && iops === null) throw new AwsApiError('InvalidParameterCombination', `The parameter iops must be specified for ${volumeType} volumes.`);
  if (iops !== null && !provisioned && volumeType !== 'gp3') throw new AwsApiError('InvalidParameterCombination', `The parameter iops is not supported for ${volumeType} volumes.`);
  if (throughput !== null && volumeType !== 'gp3') throw new AwsApiError('InvalidParameterCombination', `The parameter throughput is not supported for ${volumeType} volumes.`);
}
