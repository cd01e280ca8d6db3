import type { FakeIbmVpc } from './fake-ibmvpc.js';
import { OPERATING_SYSTEMS } from './fake-ibmvpc.js';
import type { FakeFloatingIp, FakeImage, FakeInstance, FakeKey, FakeSubnet, FakeVpc } from './fake-types.js';
import { isoSeconds } from './http-kit.js';

/** How the answer is to be shaped: the server's base URL, and whether the API version predates reserved IPs. */
export interface ViewContext {
  readonly fake: FakeIbmVpc;
  /** `http://host:port/v1`. */
  readonly root: string;
  /** `version` before 2022-03-29: network interfaces show `primary_ipv4_address` instead of `primary_ip`. */
  readonly legacyAddresses: boolean;
}

const crn = (fake: FakeIbmVpc, scope: string, kind: string, id: string): string => `crn:v1:bluemix:public:is:${scope}:a/${fake.accountId}::${kind}:${id}`;

function groupRef(context: ViewContext, id: string, withName = true): Record<string, unknown> {
  const group = context.fake.groupById(id);
  return { href: `https://resource-controller.cloud.ibm.com/v2/resource_groups/${id}`, id, ...(withName && group ? { name: group.name } : {}) };
}

function zoneRef(context: ViewContext, zone: string): Record<string, unknown> {
  return { href: `${context.root}/regions/${context.fake.settings().region}/zones/${zone}`, name: zone };
}

function vpcRef(context: ViewContext, vpc: FakeVpc): Record<string, unknown> {
  return { crn: crn(context.fake, context.fake.settings().region, 'vpc', vpc.id), href: `${context.root}/vpcs/${vpc.id}`, id: vpc.id, name: vpc.name, resource_type: 'vpc' };
}

function subnetRef(context: ViewContext, subnet: FakeSubnet): Record<string, unknown> {
  return { crn: crn(context.fake, subnet.zone, 'subnet', subnet.id), href: `${context.root}/subnets/${subnet.id}`, id: subnet.id, name: subnet.name, resource_type: 'subnet' };
}

/** A network interface's address in the shape of the asked API version. */
function addressOf(context: ViewContext, subnet: FakeSubnet, address: string, reservedIpId: string): Record<string, unknown> {
  if (context.legacyAddresses) return { primary_ipv4_address: address };
  return { primary_ip: { address, href: `${context.root}/subnets/${subnet.id}/reserved_ips/${reservedIpId}`, id: reservedIpId, name: `reserved-${reservedIpId.slice(-8)}`, resource_type: 'subnet_reserved_ip' } };
}

function networkInterface(context: ViewContext, instance: FakeInstance): Record<string, unknown> {
  const subnet = context.fake.subnets.find((candidate) => candidate.id === instance.subnetId)!;
  return {
    href: `${context.root}/instances/${instance.id}/network_interfaces/${instance.networkInterfaceId}`,
    id: instance.networkInterfaceId,
    name: 'eth0',
    ...addressOf(context, subnet, instance.privateAddress, `${instance.networkInterfaceId}-ip`),
    resource_type: 'network_interface',
    subnet: subnetRef(context, subnet),
  };
}

export function vpcView(context: ViewContext, vpc: FakeVpc): Record<string, unknown> {
  return {
    classic_access: false,
    created_at: isoSeconds(vpc.createdAt),
    crn: crn(context.fake, context.fake.settings().region, 'vpc', vpc.id),
    health_reasons: [],
    health_state: 'ok',
    href: `${context.root}/vpcs/${vpc.id}`,
    id: vpc.id,
    name: vpc.name,
    resource_group: groupRef(context, vpc.resourceGroupId),
    resource_type: 'vpc',
    status: 'available',
  };
}

export function subnetView(context: ViewContext, subnet: FakeSubnet): Record<string, unknown> {
  const vpc = context.fake.vpcs.find((candidate) => candidate.id === subnet.vpcId)!;
  const used = context.fake.instances.filter((instance) => instance.subnetId === subnet.id).length;
  return {
    available_ipv4_address_count: 251 - used,
    created_at: isoSeconds(subnet.createdAt),
    crn: crn(context.fake, subnet.zone, 'subnet', subnet.id),
    href: `${context.root}/subnets/${subnet.id}`,
    id: subnet.id,
    ip_version: 'ipv4',
    ipv4_cidr_block: `${subnet.prefix}.0/24`,
    name: subnet.name,
    resource_group: groupRef(context, subnet.resourceGroupId),
    resource_type: 'subnet',
    status: 'available',
    total_ipv4_address_count: 256,
    vpc: vpcRef(context, vpc),
    zone: zoneRef(context, subnet.zone),
  };
}

export function keyView(context: ViewContext, key: FakeKey): Record<string, unknown> {
  return {
    created_at: isoSeconds(key.createdAt),
    crn: crn(context.fake, context.fake.settings().region, 'key', key.id),
    fingerprint: `SHA256:${Buffer.from(key.publicKey).toString('base64').slice(0, 43)}`,
    href: `${context.root}/keys/${key.id}`,
    id: key.id,
    length: 256,
    name: key.name,
    public_key: key.publicKey,
    resource_group: groupRef(context, key.resourceGroupId),
    type: 'ed25519',
  };
}

export function profileView(context: ViewContext, name: string): Record<string, unknown> | undefined {
  const profile = context.fake.settings().profiles.find((candidate) => candidate.name === name);
  if (!profile) return undefined;
  return {
    bandwidth: { type: 'fixed', value: profile.vcpu * 2000 },
    disks: [],
    family: profile.family,
    href: `${context.root}/instance/profiles/${profile.name}`,
    memory: { type: 'fixed', value: profile.memory },
    name: profile.name,
    os_architecture: { default: 'amd64', type: 'enum', values: ['amd64'] },
    port_speed: { type: 'fixed', value: 16000 },
    resource_type: 'instance_profile',
    status: 'current',
    vcpu_architecture: { type: 'fixed', value: 'amd64' },
    vcpu_count: { type: 'fixed', value: profile.vcpu },
    vcpu_manufacturer: { type: 'fixed', value: 'intel' },
  };
}

export function operatingSystemView(context: ViewContext, name: string): Record<string, unknown> {
  const os = OPERATING_SYSTEMS.find((candidate) => candidate.name === name);
  return {
    allow_user_image_creation: true,
    architecture: os?.architecture ?? 'amd64',
    dedicated_host_only: os?.dedicatedHostOnly ?? false,
    display_name: os?.displayName ?? name,
    family: os?.family ?? 'Unknown',
    href: `${context.root}/operating_systems/${name}`,
    name,
    user_data_format: 'cloud_init',
    vendor: os?.vendor ?? 'Unknown',
    version: os?.version ?? 'Unknown',
  };
}

export function imageView(context: ViewContext, image: FakeImage): Record<string, unknown> {
  return {
    created_at: isoSeconds(image.createdAt),
    crn: crn(context.fake, context.fake.settings().region, 'image', image.id),
    encryption: 'none',
    file: image.status === 'available' ? { checksums: { sha256: image.id.replace(/-/g, '').padEnd(64, '0').slice(0, 64) }, size: 2 } : {},
    href: `${context.root}/images/${image.id}`,
    id: image.id,
    minimum_provisioned_size: 100,
    name: image.name,
    operating_system: operatingSystemView(context, image.operatingSystem),
    // Public images sit in IBM's own group, which listings name by ID only.
    resource_group: groupRef(context, image.resourceGroupId, image.visibility === 'private'),
    resource_type: 'image',
    status: image.status,
    status_reasons: image.status === 'failed' ? [{ code: 'image_data_corrupted', message: image.failure ?? 'The image data could not be read.' }] : [],
    user_data_format: 'cloud_init',
    visibility: image.visibility,
  };
}

export function instanceView(context: ViewContext, instance: FakeInstance): Record<string, unknown> {
  const { fake } = context;
  const profile = fake.settings().profiles.find((candidate) => candidate.name === instance.profile);
  const image = fake.images.find((candidate) => candidate.id === instance.imageId);
  const vpc = fake.vpcs.find((candidate) => candidate.id === instance.vpcId)!;
  const nic = networkInterface(context, instance);
  const volumeId = `${instance.id}-boot`;
  const attachment = {
    device: { id: `${instance.id}-device` },
    href: `${context.root}/instances/${instance.id}/volume_attachments/${instance.id}-attachment`,
    id: `${instance.id}-attachment`,
    name: `${instance.bootVolumeName}-attachment`,
    volume: { crn: crn(fake, instance.zone, 'volume', volumeId), href: `${context.root}/volumes/${volumeId}`, id: volumeId, name: instance.bootVolumeName, resource_type: 'volume' },
  };
  return {
    availability_policy: { host_failure: 'restart' },
    bandwidth: (profile?.vcpu ?? 2) * 2000,
    boot_volume_attachment: attachment,
    created_at: isoSeconds(instance.createdAt),
    crn: crn(fake, instance.zone, 'instance', instance.id),
    disks: [],
    health_reasons: [],
    health_state: instance.status === 'failed' ? 'faulted' : 'ok',
    href: `${context.root}/instances/${instance.id}`,
    id: instance.id,
    ...(image ? { image: { crn: crn(fake, fake.settings().region, 'image', image.id), href: `${context.root}/images/${image.id}`, id: image.id, name: image.name, resource_type: 'image' } } : {}),
    lifecycle_reasons: [],
    lifecycle_state: instance.status === 'running' ? 'stable' : instance.status,
    memory: profile?.memory ?? 4,
    metadata_service: { enabled: false, protocol: 'http', response_hop_limit: 1 },
    name: instance.name,
    network_interfaces: [nic],
    primary_network_interface: nic,
    profile: { href: `${context.root}/instance/profiles/${instance.profile}`, name: instance.profile, resource_type: 'instance_profile' },
    resource_group: groupRef(context, instance.resourceGroupId),
    resource_type: 'instance',
    startable: true,
    status: instance.status,
    status_reasons: instance.status === 'failed' ? [{ code: 'cannot_start_capacity', message: instance.failure ?? 'The instance could not be started.' }] : [],
    total_network_bandwidth: (profile?.vcpu ?? 2) * 1500,
    total_volume_bandwidth: (profile?.vcpu ?? 2) * 500,
    vcpu: { architecture: 'amd64', count: profile?.vcpu ?? 2, manufacturer: 'intel' },
    volume_attachments: [attachment],
    vpc: vpcRef(context, vpc),
    zone: zoneRef(context, instance.zone),
  };
}

export function floatingIpView(context: ViewContext, fip: FakeFloatingIp): Record<string, unknown> {
  const { fake } = context;
  const instance = fip.targetNetworkInterfaceId ? fake.instances.find((candidate) => candidate.networkInterfaceId === fip.targetNetworkInterfaceId) : undefined;
  const subnet = instance ? fake.subnets.find((candidate) => candidate.id === instance.subnetId) : undefined;
  return {
    address: fip.address,
    created_at: isoSeconds(fip.createdAt),
    crn: crn(fake, fip.zone, 'floating-ip', fip.id),
    href: `${context.root}/floating_ips/${fip.id}`,
    id: fip.id,
    name: fip.name,
    resource_group: groupRef(context, fip.resourceGroupId),
    status: fip.status,
    ...(instance && subnet
      ? {
          target: {
            href: `${context.root}/instances/${instance.id}/network_interfaces/${instance.networkInterfaceId}`,
            id: instance.networkInterfaceId,
            name: 'eth0',
            ...addressOf(context, subnet, instance.privateAddress, `${instance.networkInterfaceId}-ip`),
            resource_type: 'network_interface',
          },
        }
      : {}),
    zone: zoneRef(context, fip.zone),
  };
}
