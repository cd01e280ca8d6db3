import { AwsApiError, missingParameter } from './aws-api-error.js';
import {
  instanceStateCode,
  zoneIdPrefix,
  type BlockDeviceMappingRequest,
  type DiskContainerRequest,
  type Ec2Model,
  type HostRecord,
  type ImageRecord,
  type ImportImageTaskRecord,
  type ImportSnapshotTaskRecord,
  type InstanceRecord,
  type SnapshotRecord,
  type TagMap,
  type TagSpecificationRequest,
  type VolumeRecord,
} from './ec2-model.js';
import type { FakeAwsSettings } from './fake-aws-settings.js';
import { applyFilters, paginate, readFilters, type FilterFields } from './filters.js';
import type { FakeInstanceType } from './instance-types.js';
import type { QueryParams } from './query-params.js';
import { isoTime, items, tagSet, type XmlObject } from './xml.js';

/** The XML namespace of every EC2 response. */
export const EC2_NAMESPACE = 'http://ec2.amazonaws.com/doc/2016-11-15/';
export const EC2_API_VERSION = '2016-11-15';

/** Rate-limit class of an EC2 action: its `Describe*` calls have their own bucket. */
export type Ec2RateClass = 'describe' | 'mutating';

export interface Ec2Context {
  readonly model: Ec2Model;
  readonly settings: FakeAwsSettings;
}

type Handler = (params: QueryParams, context: Ec2Context) => XmlObject;

const AMAZON_OWNER = '137112412989';

// ---- reading requests -------------------------------------------------------------------------

function readTags(params: QueryParams, listName = 'Tag'): TagMap {
  const tags = new Map<string, string>();
  for (const tag of params.structs(listName)) tags.set(tag.requireString('Key'), tag.string('Value') ?? '');
  return tags;
}

function readTagSpecifications(params: QueryParams): TagSpecificationRequest[] {
  return params.structs('TagSpecification').map((spec) => ({ resourceType: spec.requireString('ResourceType'), tags: readTags(spec) }));
}

function readBlockDeviceMappings(params: QueryParams): BlockDeviceMappingRequest[] {
  return params.structs('BlockDeviceMapping').map((mapping) => {
    const ebs = mapping.struct('Ebs');
    return {
      deviceName: mapping.requireString('DeviceName'),
      noDevice: mapping.has('NoDevice'),
      virtualName: mapping.string('VirtualName'),
      ebs: ebs && {
        snapshotId: ebs.string('SnapshotId'),
        volumeSize: ebs.int('VolumeSize', { min: 1 }),
        volumeType: ebs.string('VolumeType'),
        iops: ebs.int('Iops', { min: 1 }),
        throughput: ebs.int('Throughput', { min: 1 }),
        deleteOnTermination: ebs.bool('DeleteOnTermination'),
        encrypted: ebs.bool('Encrypted'),
      },
    };
  });
}

function readDiskContainer(container: QueryParams): DiskContainerRequest {
  const bucket = container.struct('UserBucket');
  return {
    format: container.string('Format'),
    url: container.string('Url'),
    bucket: bucket?.string('S3Bucket'),
    key: bucket?.string('S3Key'),
    description: container.string('Description'),
  };
}

function noIdsWithPaging(params: QueryParams, idList: string): void {
  if (params.has('MaxResults') && params.strings(idList).length > 0) {
    throw new AwsApiError('InvalidParameterCombination', `The parameter ${idList} cannot be used with the parameter MaxResults`);
  }
}

// ---- rendering --------------------------------------------------------------------------------

const dnsName = (address: string, region: string, internal: boolean): string =>
  internal ? `ip-${address.replaceAll('.', '-')}.${region === 'us-east-1' ? 'ec2.internal' : `${region}.compute.internal`}` : `ec2-${address.replaceAll('.', '-')}.${region === 'us-east-1' ? 'compute-1' : `${region}.compute`}.amazonaws.com`;

function instanceXml(instance: InstanceRecord, index: number, { model, settings }: Ec2Context): XmlObject {
  const gone = instance.state === 'terminated';
  const image = model.images.get(instance.imageId);
  const launchTime = isoTime(instance.launchedAt);
  const groups = items(instance.securityGroupIds, (groupId) => ({ groupId, groupName: groupId === 'sg-default' ? 'default' : groupId }));
  const serial = instance.instanceId.slice(2);
  const publicAssociation = instance.publicIpAddress === null ? undefined : { publicIp: instance.publicIpAddress, publicDnsName: dnsName(instance.publicIpAddress, settings.region, false), ipOwnerId: 'amazon' };
  const privateDns = dnsName(instance.privateIpAddress, settings.region, true);
  return {
    instanceId: instance.instanceId,
    imageId: instance.imageId,
    instanceState: { code: instanceStateCode(instance.state), name: instance.state },
    // A terminated instance has given its addresses, interfaces and volumes back.
    privateDnsName: gone ? '' : privateDns,
    dnsName: gone || publicAssociation === undefined ? '' : publicAssociation.publicDnsName,
    reason: instance.stateReason
      ? `${instance.stateReason.code.startsWith('Server.') ? 'Service' : 'User'} initiated (${new Date(Number.isFinite(instance.terminatedAt) ? instance.terminatedAt : instance.launchedAt).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' GMT')})`
      : '',
    keyName: instance.keyName ?? undefined,
    amiLaunchIndex: index,
    productCodes: {},
    instanceType: instance.instanceType,
    launchTime,
    placement: {
      availabilityZone: instance.availabilityZone,
      groupName: '',
      tenancy: instance.tenancy,
      hostId: instance.hostId ?? undefined,
      affinity: instance.hostId === null ? undefined : 'host',
    },
    monitoring: { state: 'disabled' },
    subnetId: gone ? undefined : instance.subnetId,
    vpcId: gone ? undefined : instance.vpcId,
    privateIpAddress: gone ? undefined : instance.privateIpAddress,
    ipAddress: gone ? undefined : (instance.publicIpAddress ?? undefined),
    sourceDestCheck: gone ? undefined : true,
    groupSet: gone ? {} : groups,
    stateReason: instance.stateReason ?? undefined,
    architecture: image?.architecture ?? model.instanceType(instance.instanceType)?.architecture ?? 'x86_64',
    rootDeviceType: 'ebs',
    rootDeviceName: image?.rootDeviceName ?? '/dev/xvda',
    blockDeviceMapping: gone
      ? {}
      : items(instance.blockDevices, (device) => ({
          deviceName: device.deviceName,
          ebs: { volumeId: device.volumeId, status: 'attached', attachTime: launchTime, deleteOnTermination: device.deleteOnTermination },
        })),
    instanceLifecycle: instance.lifecycle ?? undefined,
    spotInstanceRequestId: instance.lifecycle === 'spot' ? `sir-${serial.slice(-8)}` : undefined,
    virtualizationType: 'hvm',
    clientToken: '',
    tagSet: tagSet(instance.tags),
    hypervisor: 'xen',
    networkInterfaceSet: gone
      ? {}
      : items([instance], () => ({
          networkInterfaceId: `eni-${serial}`,
          subnetId: instance.subnetId,
          vpcId: instance.vpcId,
          description: '',
          ownerId: settings.accountId,
          status: 'in-use',
          macAddress: `02:${serial.slice(-10).match(/../g)!.join(':')}`,
          privateIpAddress: instance.privateIpAddress,
          privateDnsName: privateDns,
          sourceDestCheck: true,
          groupSet: groups,
          attachment: { attachmentId: `eni-attach-${serial}`, deviceIndex: 0, status: 'attached', attachTime: launchTime, deleteOnTermination: true, networkCardIndex: 0 },
          association: publicAssociation,
          privateIpAddressesSet: items([instance.privateIpAddress], (address) => ({ privateIpAddress: address, privateDnsName: privateDns, primary: true, association: publicAssociation })),
          ipv6AddressesSet: items(instance.ipv6Addresses, (ipv6Address) => ({ ipv6Address })),
          interfaceType: 'interface',
        })),
    iamInstanceProfile: instance.iamInstanceProfileArn === null ? undefined : { arn: instance.iamInstanceProfileArn, id: `AIPA${serial.toUpperCase()}` },
    ebsOptimized: instance.ebsOptimized,
    enaSupport: true,
    metadataOptions: {
      state: 'applied',
      httpTokens: instance.metadataHttpTokens,
      httpPutResponseHopLimit: 1,
      httpEndpoint: instance.metadataHttpEndpoint,
      httpProtocolIpv6: 'disabled',
      instanceMetadataTags: 'disabled',
    },
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    currentInstanceBootMode: image?.bootMode === 'uefi' ? 'uefi' : 'legacy-bios',
  };
}

function volumeXml(volume: VolumeRecord): XmlObject {
  const createTime = isoTime(volume.createdAt);
  return {
    volumeId: volume.volumeId,
    size: volume.size,
    snapshotId: volume.snapshotId ?? '',
    availabilityZone: volume.availabilityZone,
    status: volume.state,
    createTime,
    attachmentSet: items(volume.attachment ? [volume.attachment] : [], (attachment) => ({
      volumeId: volume.volumeId,
      instanceId: attachment.instanceId,
      device: attachment.device,
      status: 'attached',
      attachTime: createTime,
      deleteOnTermination: attachment.deleteOnTermination,
    })),
    tagSet: tagSet(volume.tags),
    volumeType: volume.volumeType,
    iops: volume.iops ?? undefined,
    throughput: volume.throughput ?? undefined,
    encrypted: false,
    multiAttachEnabled: false,
  };
}

function imageXml(image: ImageRecord): XmlObject {
  return {
    imageId: image.imageId,
    imageLocation: `${image.ownerId}/${image.name}`,
    imageState: image.state,
    imageOwnerId: image.ownerId,
    creationDate: image.creationDate,
    isPublic: image.public,
    architecture: image.architecture,
    imageType: 'machine',
    platformDetails: 'Linux/UNIX',
    usageOperation: 'RunInstances',
    imageOwnerAlias: image.ownerId === AMAZON_OWNER ? 'amazon' : undefined,
    name: image.name,
    description: image.description ?? undefined,
    rootDeviceType: 'ebs',
    rootDeviceName: image.rootDeviceName,
    blockDeviceMapping: items(image.blockDeviceMappings, (mapping) => ({
      deviceName: mapping.deviceName,
      ebs: {
        snapshotId: mapping.snapshotId ?? undefined,
        volumeSize: mapping.volumeSize,
        deleteOnTermination: mapping.deleteOnTermination,
        volumeType: mapping.volumeType,
        iops: mapping.iops ?? undefined,
        throughput: mapping.throughput ?? undefined,
        encrypted: false,
      },
    })),
    virtualizationType: 'hvm',
    tagSet: tagSet(image.tags),
    hypervisor: 'xen',
    enaSupport: image.enaSupport,
    sriovNetSupport: 'simple',
    bootMode: image.bootMode ?? undefined,
    imdsSupport: image.imdsSupport ?? undefined,
  };
}

function snapshotXml(snapshot: SnapshotRecord): XmlObject {
  return {
    snapshotId: snapshot.snapshotId,
    volumeId: snapshot.volumeId,
    status: snapshot.state,
    startTime: isoTime(snapshot.startedAt),
    progress: snapshot.state === 'completed' ? '100%' : '0%',
    ownerId: snapshot.ownerId,
    volumeSize: snapshot.volumeSize,
    description: snapshot.description,
    encrypted: false,
    storageTier: 'standard',
    tagSet: tagSet(snapshot.tags),
  };
}

function hostXml(host: HostRecord, { model, settings }: Ec2Context): XmlObject {
  const instances = model.hostInstances(host.hostId);
  const usedVcpus = instances.reduce((sum, instance) => sum + instance.vcpus, 0);
  const types = host.instanceType === null ? settings.instanceTypes.filter((type) => type.name.split('.')[0] === host.instanceFamily) : [model.instanceType(host.instanceType)].filter((type): type is FakeInstanceType => type !== undefined);
  const zoneIndex = settings.zones.indexOf(host.availabilityZone);
  return {
    hostId: host.hostId,
    autoPlacement: host.autoPlacement,
    hostRecovery: host.hostRecovery,
    hostMaintenance: host.hostMaintenance,
    availabilityZone: host.availabilityZone,
    availabilityZoneId: `${zoneIdPrefix(settings.region)}-az${zoneIndex + 1}`,
    availableCapacity: {
      availableInstanceCapacity: items(types, (type) => ({
        instanceType: type.name,
        availableCapacity: Math.floor((host.totalVcpus - usedVcpus) / type.vcpus),
        totalCapacity: Math.floor(host.totalVcpus / type.vcpus),
      })),
      availableVCpus: host.totalVcpus - usedVcpus,
    },
    hostProperties: { cores: Math.max(1, Math.floor(host.totalVcpus / 2)), instanceType: host.instanceType ?? undefined, instanceFamily: host.instanceFamily, sockets: 2, totalVCpus: host.totalVcpus },
    instances: items(instances, (instance) => ({ instanceId: instance.instanceId, instanceType: instance.instanceType, ownerId: settings.accountId })),
    state: host.state,
    allocationTime: isoTime(host.allocatedAt),
    releaseTime: host.releasedAt === null ? undefined : isoTime(host.releasedAt),
    tagSet: tagSet(host.tags),
    allowsMultipleInstanceTypes: host.instanceType === null ? 'on' : 'off',
    ownerId: settings.accountId,
    clientToken: host.clientToken ?? undefined,
    memberOfServiceLinkedResourceGroup: false,
  };
}

const progress = (status: string): string | undefined => (status === 'active' ? '10' : undefined);

function snapshotTaskDetailXml(task: ImportSnapshotTaskRecord): XmlObject {
  return {
    description: task.description ?? undefined,
    diskImageSize: task.diskImageSize ?? undefined,
    format: task.format,
    progress: progress(task.status),
    snapshotId: task.snapshotId ?? undefined,
    status: task.status,
    statusMessage: task.statusMessage ?? undefined,
    userBucket: { s3Bucket: task.bucket, s3Key: task.key },
    encrypted: false,
  };
}

function importSnapshotTaskXml(task: ImportSnapshotTaskRecord): XmlObject {
  return { importTaskId: task.importTaskId, description: task.description ?? undefined, snapshotTaskDetail: snapshotTaskDetailXml(task), tagSet: tagSet(task.tags) };
}

function importImageTaskXml(task: ImportImageTaskRecord): XmlObject {
  return {
    importTaskId: task.importTaskId,
    architecture: task.architecture,
    description: task.description ?? undefined,
    imageId: task.imageId ?? undefined,
    progress: progress(task.status),
    snapshotDetailSet: items([task], () => ({
      deviceName: '/dev/sda1',
      diskImageSize: task.diskImageSize ?? undefined,
      format: task.format,
      snapshotId: task.snapshotId ?? undefined,
      status: task.status,
      userBucket: { s3Bucket: task.bucket, s3Key: task.key },
    })),
    status: task.status,
    statusMessage: task.statusMessage ?? undefined,
    tagSet: tagSet(task.tags),
    licenseType: 'BYOL',
    platform: 'Linux',
    bootMode: task.bootMode ?? undefined,
    encrypted: false,
  };
}

// ---- filters ----------------------------------------------------------------------------------

const instanceFilters: FilterFields<InstanceRecord> = {
  'instance-id': (i) => i.instanceId,
  'instance-state-name': (i) => i.state,
  'instance-state-code': (i) => instanceStateCode(i.state),
  'instance-type': (i) => i.instanceType,
  'image-id': (i) => i.imageId,
  'availability-zone': (i) => i.availabilityZone,
  'instance-lifecycle': (i) => i.lifecycle,
  'private-ip-address': (i) => i.privateIpAddress,
  'ip-address': (i) => i.publicIpAddress,
  'subnet-id': (i) => i.subnetId,
  'vpc-id': (i) => i.vpcId,
  'key-name': (i) => i.keyName,
  'reservation-id': (i) => i.reservationId,
  'host-id': (i) => i.hostId,
  tenancy: (i) => i.tenancy,
  'launch-time': (i) => isoTime(i.launchedAt),
  'iam-instance-profile.arn': (i) => i.iamInstanceProfileArn,
  'metadata-options.http-tokens': (i) => i.metadataHttpTokens,
  'block-device-mapping.volume-id': (i) => i.blockDevices.map((device) => device.volumeId),
  'network-interface.ipv6-addresses.ipv6-address': (i) => i.ipv6Addresses,
  'instance.group-id': (i) => i.securityGroupIds,
};

const volumeFilters: FilterFields<VolumeRecord> = {
  'volume-id': (v) => v.volumeId,
  status: (v) => v.state,
  'volume-type': (v) => v.volumeType,
  size: (v) => v.size,
  'availability-zone': (v) => v.availabilityZone,
  'snapshot-id': (v) => v.snapshotId,
  'create-time': (v) => isoTime(v.createdAt),
  encrypted: () => false,
  'attachment.instance-id': (v) => v.attachment?.instanceId,
  'attachment.device': (v) => v.attachment?.device,
  'attachment.status': (v) => (v.attachment ? 'attached' : undefined),
  'attachment.delete-on-termination': (v) => v.attachment?.deleteOnTermination,
};

const imageFilters: FilterFields<ImageRecord> = {
  'image-id': (i) => i.imageId,
  name: (i) => i.name,
  state: (i) => i.state,
  architecture: (i) => i.architecture,
  'owner-id': (i) => i.ownerId,
  'owner-alias': (i) => (i.ownerId === AMAZON_OWNER ? 'amazon' : undefined),
  'is-public': (i) => i.public,
  description: (i) => i.description,
  'image-type': () => 'machine',
  'root-device-type': () => 'ebs',
  'root-device-name': (i) => i.rootDeviceName,
  'virtualization-type': () => 'hvm',
  hypervisor: () => 'xen',
  'ena-support': (i) => i.enaSupport,
  'boot-mode': (i) => i.bootMode,
  'creation-date': (i) => i.creationDate,
  'platform-details': () => 'Linux/UNIX',
  'block-device-mapping.snapshot-id': (i) => i.blockDeviceMappings.map((m) => m.snapshotId),
  'block-device-mapping.volume-size': (i) => i.blockDeviceMappings.map((m) => m.volumeSize),
  'block-device-mapping.volume-type': (i) => i.blockDeviceMappings.map((m) => m.volumeType),
  'block-device-mapping.device-name': (i) => i.blockDeviceMappings.map((m) => m.deviceName),
};

const snapshotFilters: FilterFields<SnapshotRecord> = {
  'snapshot-id': (s) => s.snapshotId,
  status: (s) => s.state,
  'owner-id': (s) => s.ownerId,
  'owner-alias': (s) => (s.ownerId === AMAZON_OWNER ? 'amazon' : undefined),
  description: (s) => s.description,
  'volume-size': (s) => s.volumeSize,
  'volume-id': (s) => s.volumeId,
  'start-time': (s) => isoTime(s.startedAt),
  progress: (s) => (s.state === 'completed' ? '100%' : '0%'),
  encrypted: () => false,
};

const hostFilters: FilterFields<HostRecord> = {
  'instance-type': (h) => h.instanceType,
  state: (h) => h.state,
  'availability-zone': (h) => h.availabilityZone,
  'auto-placement': (h) => h.autoPlacement,
  'host-recovery': (h) => h.hostRecovery,
  'client-token': (h) => h.clientToken,
};

const instanceTypeFilters: FilterFields<FakeInstanceType> = {
  'instance-type': (t) => t.name,
  'vcpu-info.default-vcpus': (t) => t.vcpus,
  'vcpu-info.default-cores': (t) => t.cores,
  'memory-info.size-in-mib': (t) => t.memoryMiB,
  'processor-info.supported-architecture': (t) => t.architecture,
  'current-generation': () => true,
  'dedicated-hosts-supported': () => true,
  'bare-metal': (t) => t.name.endsWith('.metal'),
};

const noTags = (): ReadonlyMap<string, string> => new Map();

// ---- actions ----------------------------------------------------------------------------------

const ok = { return: true };

/** Describe-and-filter of a resource kind with an ID list, filters and pages. */
function describe<T extends { tags?: TagMap }>(
  params: QueryParams,
  action: string,
  records: T[],
  fields: FilterFields<T>,
  limits: { min: number; max: number },
  filterList = 'Filter',
): { page: T[]; nextToken: string | undefined } {
  const filtered = applyFilters(records, readFilters(params, filterList), fields, (item) => item.tags ?? new Map());
  return paginate(filtered, params, action, limits);
}

const ACTIONS: Readonly<Record<string, Handler>> = {
  RunInstances(params, context) {
    const market = params.struct('InstanceMarketOptions');
    const spot = market?.struct('SpotOptions');
    spot?.oneOf('SpotInstanceType', ['one-time', 'persistent']);
    spot?.oneOf('InstanceInterruptionBehavior', ['hibernate', 'stop', 'terminate']);
    const metadata = params.struct('MetadataOptions');
    const placement = params.struct('Placement');
    const profile = params.struct('IamInstanceProfile');
    const minCount = params.int('MinCount', { min: 0 });
    const maxCount = params.int('MaxCount', { min: 0 });
    if (minCount === undefined) throw missingParameter('MinCount');
    if (maxCount === undefined) throw missingParameter('MaxCount');
    const instances = context.model.runInstances({
      imageId: params.requireString('ImageId'),
      // EC2's own default; the fake does not model it, so leaving it out fails as a bad type.
      instanceType: params.string('InstanceType') ?? 'm1.small',
      minCount,
      maxCount,
      keyName: params.string('KeyName'),
      subnetId: params.string('SubnetId'),
      securityGroupIds: params.strings('SecurityGroupId'),
      networkInterfaces: params.structs('NetworkInterface').map((nic) => ({
        deviceIndex: nic.int('DeviceIndex', { min: 0 }),
        associatePublicIpAddress: nic.bool('AssociatePublicIpAddress'),
        ipv6AddressCount: nic.int('Ipv6AddressCount', { min: 0 }),
        subnetId: nic.string('SubnetId'),
        groups: nic.strings('SecurityGroupId'),
        networkInterfaceId: nic.string('NetworkInterfaceId'),
      })),
      blockDeviceMappings: readBlockDeviceMappings(params),
      iamInstanceProfile: profile && { arn: profile.string('Arn'), name: profile.string('Name') },
      userData: params.string('UserData'),
      ebsOptimized: params.bool('EbsOptimized'),
      tagSpecifications: readTagSpecifications(params),
      marketType: market?.string('MarketType'),
      metadataOptions: metadata && { httpTokens: metadata.oneOf('HttpTokens', ['optional', 'required']), httpEndpoint: metadata.oneOf('HttpEndpoint', ['enabled', 'disabled']) },
      placement: placement && { availabilityZone: placement.string('AvailabilityZone'), hostId: placement.string('HostId'), tenancy: placement.string('Tenancy') },
      clientToken: params.string('ClientToken'),
    });
    return {
      reservationId: instances[0]?.reservationId,
      ownerId: context.settings.accountId,
      groupSet: {},
      instancesSet: items(instances, (instance, index) => instanceXml(instance, index, context)),
    };
  },

  DescribeInstances(params, context) {
    noIdsWithPaging(params, 'InstanceId');
    const { model } = context;
    model.settle();
    const ids = params.strings('InstanceId');
    const records = ids.length > 0 ? model.findInstances(ids) : [...model.instances.values()];
    const filtered = applyFilters(records, readFilters(params), instanceFilters, (instance) => instance.tags);
    // Pages hold whole reservations, as EC2's do.
    const reservations = new Map<string, InstanceRecord[]>();
    for (const instance of filtered) reservations.set(instance.reservationId, [...(reservations.get(instance.reservationId) ?? []), instance]);
    const { page, nextToken } = paginate([...reservations.values()], params, 'DescribeInstances', { min: 5, max: 1000 });
    return {
      reservationSet: items(page, (instances) => ({
        reservationId: instances[0]!.reservationId,
        ownerId: context.settings.accountId,
        groupSet: {},
        instancesSet: items(instances, (instance, index) => instanceXml(instance, index, context)),
      })),
      nextToken,
    };
  },

  TerminateInstances(params, { model }) {
    const ids = params.strings('InstanceId');
    if (ids.length === 0) throw missingParameter('InstanceId');
    const results = model.terminateInstances(ids);
    return {
      instancesSet: items(results, (result) => ({
        instanceId: result.instanceId,
        currentState: { code: instanceStateCode(result.current), name: result.current },
        previousState: { code: instanceStateCode(result.previous), name: result.previous },
      })),
    };
  },

  DescribeVolumes(params, { model }) {
    noIdsWithPaging(params, 'VolumeId');
    model.settle();
    const ids = params.strings('VolumeId');
    const records = ids.length > 0 ? model.findVolumes(ids) : [...model.volumes.values()];
    const { page, nextToken } = describe(params, 'DescribeVolumes', records, volumeFilters, { min: 5, max: 500 });
    return { volumeSet: items(page, volumeXml), nextToken };
  },

  DeleteVolume(params, { model }) {
    model.deleteVolume(params.requireString('VolumeId'));
    return ok;
  },

  DescribeImages(params, { model, settings }) {
    noIdsWithPaging(params, 'ImageId');
    model.settle();
    const ids = params.strings('ImageId');
    let records = ids.length > 0 ? model.findImages(ids) : model.visibleImages();
    const owners = params.strings('Owner');
    if (owners.length > 0) {
      const accept = (image: ImageRecord): boolean =>
        owners.some((owner) => (owner === 'self' ? image.ownerId === settings.accountId : owner === 'amazon' ? image.ownerId === AMAZON_OWNER : owner === image.ownerId));
      records = records.filter(accept);
    }
    const { page, nextToken } = describe(params, 'DescribeImages', records, imageFilters, { min: 5, max: 1000 });
    return { imagesSet: items(page, imageXml), nextToken };
  },

  DeregisterImage(params, { model }) {
    const deleteSnapshots = params.bool('DeleteAssociatedSnapshots') ?? false;
    const deleted = model.deregisterImage(params.requireString('ImageId'), deleteSnapshots);
    return { return: true, deleteSnapshotResultSet: deleteSnapshots ? items(deleted, (snapshotId) => ({ snapshotId, returnCode: 'success' })) : undefined };
  },

  RegisterImage(params, { model }) {
    if (params.has('ImageLocation')) throw new AwsApiError('InvalidParameter', 'This fake registers EBS-backed images (BlockDeviceMapping) only, not ImageLocation manifests.');
    const image = model.registerImage({
      name: params.requireString('Name'),
      description: params.string('Description'),
      architecture: params.string('Architecture'),
      rootDeviceName: params.string('RootDeviceName'),
      blockDeviceMappings: readBlockDeviceMappings(params),
      virtualizationType: params.string('VirtualizationType'),
      enaSupport: params.bool('EnaSupport'),
      bootMode: params.string('BootMode'),
      imdsSupport: params.string('ImdsSupport'),
      tagSpecifications: readTagSpecifications(params),
    });
    return { imageId: image.imageId };
  },

  DescribeSnapshots(params, { model, settings }) {
    noIdsWithPaging(params, 'SnapshotId');
    model.settle();
    const ids = params.strings('SnapshotId');
    let records = ids.length > 0 ? model.findSnapshots(ids) : [...model.snapshots.values()];
    const owners = params.strings('Owner');
    if (owners.length > 0) {
      records = records.filter((snapshot) =>
        owners.some((owner) => (owner === 'self' ? snapshot.ownerId === settings.accountId : owner === 'amazon' ? snapshot.ownerId === AMAZON_OWNER : owner === snapshot.ownerId)),
      );
    }
    const { page, nextToken } = describe(params, 'DescribeSnapshots', records, snapshotFilters, { min: 5, max: 1000 });
    return { snapshotSet: items(page, snapshotXml), nextToken };
  },

  DeleteSnapshot(params, { model }) {
    model.deleteSnapshot(params.requireString('SnapshotId'));
    return ok;
  },

  CreateTags(params, { model }) {
    model.createTags(params.strings('ResourceId'), readTags(params));
    return ok;
  },

  DeleteTags(params, { model }) {
    const tags = params.structs('Tag').map((tag) => ({ key: tag.requireString('Key'), value: tag.string('Value') }));
    model.deleteTags(params.strings('ResourceId'), tags);
    return ok;
  },

  ImportSnapshot(params, { model }) {
    const container = params.struct('DiskContainer');
    if (!container) throw missingParameter('DiskContainer');
    const task = model.importSnapshot({ diskContainer: readDiskContainer(container), description: params.string('Description'), tagSpecifications: readTagSpecifications(params) });
    return importSnapshotTaskXml(task);
  },

  DescribeImportSnapshotTasks(params, { model }) {
    const records = model.findImportTasks(model.importSnapshotTasks, params.strings('ImportTaskId'));
    const { page, nextToken } = describe(params, 'DescribeImportSnapshotTasks', records, {}, { min: 1, max: 500 }, 'Filters');
    return { importSnapshotTaskSet: items(page, importSnapshotTaskXml), nextToken };
  },

  ImportImage(params, { model }) {
    const task = model.importImage({
      diskContainers: params.structs('DiskContainer').map(readDiskContainer),
      architecture: params.string('Architecture'),
      description: params.string('Description'),
      bootMode: params.string('BootMode'),
      tagSpecifications: readTagSpecifications(params),
    });
    return importImageTaskXml(task);
  },

  DescribeImportImageTasks(params, { model }) {
    const records = model.findImportTasks(model.importImageTasks, params.strings('ImportTaskId'));
    const { page, nextToken } = describe(params, 'DescribeImportImageTasks', records, {}, { min: 1, max: 500 }, 'Filters');
    return { importImageTaskSet: items(page, importImageTaskXml), nextToken };
  },

  DescribeInstanceTypes(params, { model, settings }) {
    const names = params.strings('InstanceType');
    const missing = names.filter((name) => !model.instanceType(name));
    if (missing.length > 0) throw new AwsApiError('InvalidInstanceType', `The following supplied instance types do not exist: [${missing.join(', ')}]`);
    const records = names.length > 0 ? names.map((name) => model.instanceType(name)!) : [...settings.instanceTypes];
    const filtered = applyFilters(records, readFilters(params), instanceTypeFilters, noTags);
    const { page, nextToken } = paginate(filtered, params, 'DescribeInstanceTypes', { min: 5, max: 100 });
    return {
      instanceTypeSet: items(page, (type) => ({
        instanceType: type.name,
        currentGeneration: true,
        freeTierEligible: type.name === 't3.micro',
        supportedUsageClasses: items(['on-demand', 'spot'], (usage) => usage),
        supportedRootDeviceTypes: items(['ebs'], (root) => root),
        supportedVirtualizationTypes: items(['hvm'], (virtualization) => virtualization),
        bareMetal: type.name.endsWith('.metal'),
        hypervisor: type.name.endsWith('.metal') ? undefined : 'nitro',
        processorInfo: { supportedArchitectures: items([type.architecture], (architecture) => architecture) },
        vCpuInfo: { defaultVCpus: type.vcpus, defaultCores: type.cores, defaultThreadsPerCore: Math.max(1, Math.round(type.vcpus / type.cores)) },
        memoryInfo: { sizeInMiB: type.memoryMiB },
        instanceStorageSupported: false,
        ebsInfo: { ebsOptimizedSupport: 'default', encryptionSupport: 'supported' },
        dedicatedHostsSupported: true,
        autoRecoverySupported: true,
      })),
      nextToken,
    };
  },

  AllocateHosts(params, { model }) {
    const quantity = params.int('Quantity', { min: 1 });
    if (quantity === undefined) throw missingParameter('Quantity');
    const hosts = model.allocateHosts({
      instanceType: params.string('InstanceType'),
      instanceFamily: params.string('InstanceFamily'),
      availabilityZone: params.requireString('AvailabilityZone'),
      quantity,
      autoPlacement: params.oneOf('AutoPlacement', ['on', 'off']),
      hostRecovery: params.oneOf('HostRecovery', ['on', 'off']),
      hostMaintenance: params.oneOf('HostMaintenance', ['on', 'off']),
      tagSpecifications: readTagSpecifications(params),
      clientToken: params.string('ClientToken'),
    });
    return { hostIdSet: items(hosts, (host) => host.hostId) };
  },

  ReleaseHosts(params, { model }) {
    const ids = params.strings('HostId');
    if (ids.length === 0) throw missingParameter('HostId');
    const result = model.releaseHosts(ids);
    return {
      successful: items(result.successful, (hostId) => hostId),
      unsuccessful: items(result.unsuccessful, (failure) => ({ error: { code: failure.code, message: failure.message }, resourceId: failure.hostId })),
    };
  },

  DescribeHosts(params, context) {
    noIdsWithPaging(params, 'HostId');
    const { model } = context;
    model.settle();
    const ids = params.strings('HostId');
    const records = ids.length > 0 ? model.findHosts(ids) : [...model.hosts.values()];
    const { page, nextToken } = describe(params, 'DescribeHosts', records, hostFilters, { min: 5, max: 500 });
    return { hostSet: items(page, (host) => hostXml(host, context)), nextToken };
  },

  DescribeAvailabilityZones(params, { settings }) {
    const prefix = zoneIdPrefix(settings.region);
    const zones = settings.zones.map((zoneName, index) => ({ zoneName, zoneId: `${prefix}-az${index + 1}`, tags: new Map<string, string>() }));
    const names = params.strings('ZoneName');
    const zoneIds = params.strings('ZoneId');
    for (const name of names) if (!settings.zones.includes(name)) throw new AwsApiError('InvalidParameterValue', `Invalid availability zone: [${name}]`);
    for (const zoneId of zoneIds) if (!zones.some((zone) => zone.zoneId === zoneId)) throw new AwsApiError('InvalidParameterValue', `Invalid availability zone ID: [${zoneId}]`);
    const picked = zones.filter((zone) => (names.length === 0 && zoneIds.length === 0) || names.includes(zone.zoneName) || zoneIds.includes(zone.zoneId));
    const filtered = applyFilters(
      picked,
      readFilters(params),
      {
        'zone-name': (zone) => zone.zoneName,
        'zone-id': (zone) => zone.zoneId,
        state: () => 'available',
        'region-name': () => settings.region,
        'zone-type': () => 'availability-zone',
        'group-name': () => settings.region,
        'opt-in-status': () => 'opt-in-not-required',
      },
      (zone) => zone.tags,
    );
    return {
      availabilityZoneInfo: items(filtered, (zone) => ({
        zoneName: zone.zoneName,
        zoneState: 'available',
        regionName: settings.region,
        zoneId: zone.zoneId,
        groupName: settings.region,
        networkBorderGroup: settings.region,
        zoneType: 'availability-zone',
        optInStatus: 'opt-in-not-required',
        messageSet: {},
      })),
    };
  },
};

/** The EC2 actions the fake answers; any other is `InvalidAction`. */
export const EC2_ACTIONS: readonly string[] = Object.keys(ACTIONS);

export function ec2RateClass(action: string): Ec2RateClass {
  return action.startsWith('Describe') ? 'describe' : 'mutating';
}

/** Runs one EC2 action; the body of its `<ActionResponse>` element, without `requestId`. */
export function runEc2Action(action: string, params: QueryParams, context: Ec2Context): XmlObject {
  const handler = ACTIONS[action];
  if (!handler) throw new AwsApiError('InvalidAction', `The action ${action} is not valid for this web service.`);
  if (params.bool('DryRun')) {
    throw new AwsApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);
  }
  return handler(params, context);
}
