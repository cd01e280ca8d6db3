import type { BlockDeviceMapping, Image, InstanceNetworkInterfaceSpecification, RunInstancesCommandInput, VolumeType } from '@aws-sdk/client-ec2';
import type { AwsLabelConfig, AwsPoolConfig } from './config.js';
import type { Market } from './quota.js';
import { toTagList } from './tags.js';

export interface LaunchRequestOptions {
  readonly label: AwsLabelConfig;
  readonly pool: AwsPoolConfig;
  /** The AMI to boot, as DescribeImages describes it (its root device is overridden). */
  readonly image: Image;
  /** For the instance and its volumes. */
  readonly tags: Readonly<Record<string, string>>;
  readonly market: Market;
  /** The dedicated host to place the instance on. */
  readonly hostId?: string;
  /** Makes the call idempotent: sent again (by the SDK after a network blip), it starts no second instance. */
  readonly clientToken: string;
}

/**
 * RunInstances for one node, as Nodepool builds it: one network interface (public IPv4 as
 * the pool says, an IPv6 address if asked, the pool's subnet and security group), the label's
 * key, type, EBS optimization, IAM profile, user data and root volume settings over the
 * AMI's, the node's tags on the instance and its volumes, spot one-time purchase when asked;
 * then what we add: IMDS tokens, the pool's zone and a dedicated host.
 */
export function runInstancesInput(options: LaunchRequestOptions): RunInstancesCommandInput {
  const { label, pool, image, tags, market, hostId } = options;
  const nic: InstanceNetworkInterfaceSpecification = {
    DeviceIndex: 0,
    AssociatePublicIpAddress: pool.publicIpv4,
    ...(pool.securityGroupId === null ? {} : { Groups: [pool.securityGroupId] }),
    ...(pool.subnetId === null ? {} : { SubnetId: pool.subnetId }),
    ...(pool.publicIpv6 ? { Ipv6AddressCount: 1 } : {}),
  };
  const root = rootDevice(image, label);
  const profile = label.iamInstanceProfile;
  return {
    ImageId: image.ImageId,
    MinCount: 1,
    MaxCount: 1,
    KeyName: label.keyName,
    EbsOptimized: label.ebsOptimized,
    InstanceType: label.instanceType as RunInstancesCommandInput['InstanceType'],
    NetworkInterfaces: [nic],
    TagSpecifications: [
      { ResourceType: 'instance', Tags: toTagList(tags) },
      { ResourceType: 'volume', Tags: toTagList(tags) },
    ],
    ClientToken: options.clientToken,
    // SDK v3 sends UserData as given; EC2 wants it base64-encoded (boto3 encodes it itself).
    ...(label.userdata === null ? {} : { UserData: Buffer.from(label.userdata, 'utf8').toString('base64') }),
    ...(profile?.name !== undefined ? { IamInstanceProfile: { Name: profile.name } } : profile?.arn !== undefined ? { IamInstanceProfile: { Arn: profile.arn } } : {}),
    ...(root ? { BlockDeviceMappings: [root] } : {}),
    ...(market === 'spot' ? { InstanceMarketOptions: { MarketType: 'spot', SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' } } } : {}),
    ...(label.imdsHttpTokens === null ? {} : { MetadataOptions: { HttpTokens: label.imdsHttpTokens, HttpEndpoint: 'enabled' } }),
    ...placement(pool, hostId),
  };
}

function placement(pool: AwsPoolConfig, hostId: string | undefined): Pick<RunInstancesCommandInput, 'Placement'> {
  const zone = pool.availabilityZone === null ? {} : { AvailabilityZone: pool.availabilityZone };
  if (hostId !== undefined) return { Placement: { ...zone, HostId: hostId, Tenancy: 'host' } };
  return pool.availabilityZone === null ? {} : { Placement: zone };
}

/**
 * The AMI's root volume with the label's size, type, IOPS and throughput over it, deleted with
 * the instance (so no volume outlives its node). Undefined for an AMI without an EBS root.
 */
function rootDevice(image: Image, label: AwsLabelConfig): BlockDeviceMapping | undefined {
  const mappings = image.BlockDeviceMappings ?? [];
  // Differs from Nodepool: the root device's mapping rather than the first one listed.
  const base = mappings.find((mapping) => mapping.DeviceName === image.RootDeviceName && mapping.Ebs) ?? mappings[0];
  if (!base?.Ebs) return undefined;
  // Differs from Nodepool: a new volume type drops the AMI's IOPS and throughput (which the
  // new type may not take) unless the label sets them again.
  const typeChanged = label.volumeType !== null && label.volumeType !== base.Ebs.VolumeType;
  const iops = label.iops ?? (typeChanged ? undefined : base.Ebs.Iops);
  const throughput = label.throughput ?? (typeChanged ? undefined : base.Ebs.Throughput);
  return {
    DeviceName: base.DeviceName,
    Ebs: {
      DeleteOnTermination: true,
      // An encrypted flag is refused next to a snapshot, so it is not copied.
      SnapshotId: base.Ebs.SnapshotId,
      VolumeSize: label.volumeSize ?? base.Ebs.VolumeSize,
      VolumeType: (label.volumeType ?? base.Ebs.VolumeType) as VolumeType | undefined,
      ...(iops === undefined ? {} : { Iops: iops }),
      ...(throughput === undefined ? {} : { Throughput: throughput }),
    },
  };
}
