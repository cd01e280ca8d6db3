import {
  commonPoolKeys,
  readCommonPoolFields,
  readCommonProviderFields,
  readConnection,
  readEntries,
  readEntriesByName,
  readFloat,
  readInteger,
  readIntegerMap,
  schema as s,
  type ConfigContext,
  type StateMachineLabel,
  type StateMachinePool,
  type StateMachineProviderConfig,
} from '@nodepool/core';

// ---- typed configuration ------------------------------------------------------------------

/** One filter of a cloud image's `image-filters` (an EC2 DescribeImages filter). */
export interface AwsImageFilter {
  /** `name` (or `Name`); the schema does not require it. */
  readonly name: string | undefined;
  /** `values` (or `Values`); the schema does not require it. */
  readonly values: readonly string[] | undefined;
}

/** An AMI that exists in the cloud (`providers.[aws].cloud-images`). */
export interface AwsCloudImageConfig {
  readonly name: string;
  readonly username: string;
  /** `image-id`; exactly one of it and `imageFilters` is set. */
  readonly imageId: string | null;
  /** `image-filters`; when several AMIs match, the most recent is used. */
  readonly imageFilters: readonly AwsImageFilter[] | null;
  readonly connectionType: string;
  /** Default 22, or 5986 for `winrm`. */
  readonly connectionPort: number;
  readonly pythonPath: string;
  readonly shellType: string | null;
}

/** A diskimage nodepool-builder uploads to this provider (`providers.[aws].diskimages`). */
export interface AwsDiskImageConfig {
  /** The name of a top-level diskimage. */
  readonly name: string;
  /** When true the builder does not upload the image. */
  readonly pause: boolean;
  /** Deprecated here; defaults to the top-level diskimage's username. */
  readonly username: string;
  readonly connectionType: string;
  readonly connectionPort: number;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly architecture: string;
  readonly enaSupport: boolean;
  /** Root volume size in GiB; null means the size of the imported snapshot. */
  readonly volumeSize: number | null;
  readonly volumeType: string;
  readonly importMethod: 'snapshot' | 'image';
  readonly iops: number | null;
  readonly throughput: number | null;
  /** `tags`, added to the uploaded image. */
  readonly tags: Readonly<Record<string, unknown>>;
}

/** `iam-instance-profile`: at most one of `name` and `arn`. */
export interface AwsIamInstanceProfile {
  readonly name?: string;
  readonly arn?: string;
}

/** `imds-http-tokens`: whether instances demand IMDSv2 session tokens. */
export type AwsImdsHttpTokens = 'required' | 'optional';

/** A label as an AWS pool offers it (`providers.[aws].pools.labels`). */
export interface AwsLabelConfig extends StateMachineLabel {
  /** The name of the pool the label belongs to (its subnet, security group, addresses). */
  readonly poolName: string;
  /** `cloud-image`: a name from the provider's `cloud-images`. */
  readonly cloudImage: string | undefined;
  /** `diskimage`: a name from the provider's `diskimages`. */
  readonly diskimage: string | undefined;
  readonly instanceType: string;
  readonly keyName: string;
  readonly ebsOptimized: boolean;
  readonly volumeType: string | null;
  readonly volumeSize: number | null;
  readonly iops: number | null;
  readonly throughput: number | null;
  readonly userdata: string | null;
  readonly iamInstanceProfile: AwsIamInstanceProfile | null;
  readonly tags: Readonly<Record<string, unknown>>;
  /** Tags whose values are format strings over the request (`{request.id}`). */
  readonly dynamicTags: Readonly<Record<string, unknown>>;
  readonly useSpot: boolean;
  /** The pool's `host-key-checking`. */
  readonly hostKeyChecking: boolean;
  /** From the cloud image or provider diskimage; `ssh` when the label has neither. */
  readonly connectionType: string;
  readonly connectionPort: number;
  /** The cloud image's or diskimage's `username`; `zuul` when the label has neither. */
  readonly username: string;
  readonly pythonPath: string;
  readonly shellType: string | null;
  /**
   * `imds-http-tokens` (ours): `required` turns IMDSv1 off on the instance, `optional` allows
   * both; null leaves the AMI's and account's defaults.
   */
  readonly imdsHttpTokens: AwsImdsHttpTokens | null;
  /**
   * `dedicated-host` (as Nodepool 11): a dedicated host is allocated for each instance of the
   * label and released with it. Needs the pool's `availability-zone`; not with `use-spot`.
   */
  readonly dedicatedHost: boolean;
  /**
   * `fallback-to-on-demand` (ours): a spot launch EC2 refuses for want of spot capacity is
   * retried at once as an on-demand instance. Only with `use-spot`.
   */
  readonly fallbackToOnDemand: boolean;
}

export interface AwsPoolConfig extends StateMachinePool<AwsLabelConfig> {
  /** `max-servers`, else the provider's, else Infinity. */
  readonly maxServers: number;
  /** `max-cores`, else the provider's, else Infinity. */
  readonly maxCores: number;
  /** `max-ram`, else the provider's, else Infinity. */
  readonly maxRam: number;
  /** The provider's `max-resources` with the pool's over them; a missing resource is unlimited. */
  readonly maxResources: Readonly<Record<string, number>>;
  readonly securityGroupId: string | null;
  readonly subnetId: string | null;
  /** `public-ipv4` (or its deprecated alias `public-ip-address`, which wins), else the provider's. */
  readonly publicIpv4: boolean;
  readonly publicIpv6: boolean;
  readonly useInternalIp: boolean;
  readonly hostKeyChecking: boolean;
  /**
   * `availability-zone` (as Nodepool 11): where the pool's instances (and dedicated hosts) go;
   * null lets the subnet decide.
   */
  readonly availabilityZone: string | null;
}

export interface AwsProviderConfig extends StateMachineProviderConfig<AwsPoolConfig> {
  readonly driver: 'aws';
  readonly regionName: string;
  /** The credentials profile; null lets the SDK choose. */
  readonly profileName: string | null;
  /**
   * `endpoint-url` (ours): one endpoint for EC2, S3 (path style) and Service Quotas, for
   * AWS-compatible clouds and fakes. Null leaves it to the SDK, which also honours
   * `AWS_ENDPOINT_URL` and `AWS_ENDPOINT_URL_<SERVICE>` from the environment.
   */
  readonly endpointUrl: string | null;
  /** API operations per second. */
  readonly rate: number;
  readonly bootTimeout: number;
  readonly launchTimeout: number;
  readonly launchRetries: number;
  readonly useInternalIp: boolean;
  readonly hostKeyChecking: boolean;
  readonly publicIpv4: boolean;
  readonly publicIpv6: boolean;
  /** `object-storage`: the S3 bucket images pass through on upload. */
  readonly objectStorage: { readonly bucketName: string } | null;
  /** `image-format`: what the builder makes and the import declares. */
  readonly imageFormat: 'ova' | 'vhd' | 'vhdx' | 'vmdk' | 'raw';
  /** Seconds to keep retrying an import that hit a resource limit; null fails at once. */
  readonly imageImportTimeout: number | null;
  readonly imageNameFormat: string;
  readonly postUploadHook: string | null;
  readonly maxServers: number;
  readonly maxCores: number;
  readonly maxRam: number;
  readonly maxResources: Readonly<Record<string, number>>;
  readonly cloudImages: ReadonlyMap<string, AwsCloudImageConfig>;
  /** The provider's `diskimages:` entries by name (`diskimages` holds just their names). */
  readonly providerDiskimages: ReadonlyMap<string, AwsDiskImageConfig>;
}

// ---- schema (Nodepool 9.0.0, nodepool/driver/aws/config.py) --------------------------------

const imageFilter = s.mapping({
  // v.Any('Name', 'name') and v.Any('Values', 'values') as keys: either spelling, neither required.
  Name: s.str,
  name: s.str,
  Values: s.list(s.str),
  values: s.list(s.str),
});

const cloudImage = s.all(
  s.mapping({
    name: s.required(s.str),
    username: s.required(s.str),
    'image-id': s.exclusive('spec', s.str),
    'image-filters': s.exclusive('spec', s.list(imageFilter)),
    'connection-type': s.str,
    'connection-port': s.int,
    'python-path': s.str,
    'shell-type': s.str,
  }),
  s.mapping({}, { extra: 'allow', requireOneOf: [{ keys: ['image-id', 'image-filters'], message: 'Provide either "image-filters", or "image-id" keys' }] }),
);

const diskimage = s.mapping({
  name: s.required(s.str),
  username: s.str,
  pause: s.bool,
  'connection-type': s.str,
  'connection-port': s.int,
  'python-path': s.str,
  'shell-type': s.str,
  architecture: s.str,
  'ena-support': s.bool,
  'volume-size': s.int,
  'volume-type': s.str,
  'import-method': s.oneOf('snapshot', 'image'),
  iops: s.int,
  throughput: s.int,
  tags: s.anyMapping,
});

const label = s.mapping({
  name: s.required(s.str),
  // Neither is required by the schema; a label without either fails only when launched.
  'cloud-image': s.exclusive('image', s.str),
  diskimage: s.exclusive('image', s.str),
  'instance-type': s.required(s.str),
  'key-name': s.required(s.str),
  'ebs-optimized': s.bool,
  'volume-type': s.str,
  'volume-size': s.int,
  iops: s.int,
  throughput: s.int,
  userdata: s.str,
  'iam-instance-profile': s.mapping({
    name: s.exclusive('iam_instance_profile_id', s.str),
    arn: s.exclusive('iam_instance_profile_id', s.str),
  }),
  tags: s.anyMapping,
  'dynamic-tags': s.anyMapping,
  'use-spot': s.bool,
  // Beyond 9.0.0 (docs/compatibility.md): IMDSv2, dedicated hosts, spot with a fallback.
  'imds-http-tokens': s.oneOf('required', 'optional'),
  'dedicated-host': s.bool,
  'fallback-to-on-demand': s.bool,
});

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.required(s.str),
  labels: s.required(s.list(label)),
  'security-group-id': s.str,
  'subnet-id': s.str,
  'public-ip-address': s.bool,
  'public-ipv4': s.bool,
  'public-ipv6': s.bool,
  'host-key-checking': s.bool,
  'max-cores': s.int,
  'max-ram': s.int,
  'max-resources': s.mapOf(s.int),
  // 9.0.0's pools read it although its schema lacks it.
  'use-internal-ip': s.loadOnly(s.bool),
  // Nodepool 11's key, accepted for dedicated hosts (docs/compatibility.md).
  'availability-zone': s.str,
});

/**
 * An `aws` provider entry. Keys Nodepool 9.0.0's `load()` reads but its schema lacks
 * (`launch-timeout`, `post-upload-hook`, and the pools' defaults `use-internal-ip`,
 * `host-key-checking`, `public-ipv4`, `public-ipv6`) are rejected by `config-validate` and
 * read by the daemons, as there.
 */
export const awsProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  'region-name': s.required(s.str),
  rate: s.number,
  'profile-name': s.str,
  // Ours: an AWS-compatible endpoint (docs/compatibility.md).
  'endpoint-url': s.match(/^https?:\/\/[^\s/]+/, 'an http:// or https:// URL'),
  'cloud-images': s.list(cloudImage),
  diskimages: s.list(diskimage),
  // Accepted and ignored, as in 9.0.0 (removed in 10.0.0).
  'hostname-format': s.str,
  'boot-timeout': s.int,
  'launch-retries': s.int,
  'object-storage': s.mapping({ 'bucket-name': s.required(s.str) }),
  'image-format': s.oneOf('ova', 'vhd', 'vhdx', 'vmdk', 'raw'),
  // A later Nodepool's key, ours as an opt-in (docs/compatibility.md).
  'image-import-timeout': s.int,
  'max-servers': s.int,
  'max-cores': s.int,
  'max-ram': s.int,
  'max-resources': s.mapOf(s.int),
  'launch-timeout': s.loadOnly(s.int),
  'post-upload-hook': s.loadOnly(s.str),
  'use-internal-ip': s.loadOnly(s.bool),
  'host-key-checking': s.loadOnly(s.bool),
  'public-ipv4': s.loadOnly(s.bool),
  'public-ipv6': s.loadOnly(s.bool),
});

// ---- building -----------------------------------------------------------------------------

type Entry = Readonly<Record<string, unknown>>;

function parseCloudImage(entry: Entry): AwsCloudImageConfig {
  const filters = entry['image-filters'] as Entry[] | undefined;
  return {
    name: entry.name as string,
    username: entry.username as string,
    imageId: (entry['image-id'] as string | undefined) ?? null,
    // The original capitalizes the keys for boto, so with both spellings the later one wins.
    imageFilters:
      filters?.map((filter) => {
        let name: string | undefined;
        let values: string[] | undefined;
        for (const [key, value] of Object.entries(filter)) {
          if (key === 'name' || key === 'Name') name = value as string;
          else values = value as string[];
        }
        return { name, values };
      }) ?? null,
    ...readConnection(entry),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: (entry['shell-type'] as string | undefined) ?? null,
  };
}

function parseDiskImage(entry: Entry, context: ConfigContext): AwsDiskImageConfig {
  const name = entry.name as string;
  return {
    name,
    pause: entry.pause === true,
    // A missing top-level diskimage is reported by core; 'zuul' is the diskimage default.
    username: (entry.username as string | undefined) ?? context.diskimages.get(name)?.username ?? 'zuul',
    ...readConnection(entry),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: (entry['shell-type'] as string | undefined) ?? null,
    architecture: (entry.architecture as string | undefined) ?? 'x86_64',
    enaSupport: (entry['ena-support'] as boolean | undefined) ?? true,
    volumeSize: readInteger(entry['volume-size']) ?? null,
    // 9.0.0's default; 10.0.0 changed it to gp3.
    volumeType: (entry['volume-type'] as string | undefined) ?? 'gp2',
    importMethod: (entry['import-method'] as 'snapshot' | 'image' | undefined) ?? 'snapshot',
    iops: readInteger(entry.iops) ?? null,
    throughput: readInteger(entry.throughput) ?? null,
    tags: (entry.tags as Record<string, unknown> | undefined) ?? {},
  };
}

/** Builds the typed config of an entry that passed `awsProviderSchema`. */
export function parseAwsConfig(entry: Entry, context: ConfigContext): AwsProviderConfig {
  const providerName = entry.name as string;
  const get = <T>(key: string): T | undefined => entry[key] as T | undefined;

  // Provider-level defaults of pool settings (read by 9.0.0's load, not in its schema).
  const useInternalIp = (entry['use-internal-ip'] as boolean | undefined) ?? false;
  const hostKeyChecking = (entry['host-key-checking'] as boolean | undefined) ?? true;
  const publicIpv4 = (entry['public-ipv4'] as boolean | undefined) ?? true;
  const publicIpv6 = (entry['public-ipv6'] as boolean | undefined) ?? false;
  const maxServers = readInteger(entry['max-servers'], Infinity);
  const maxCores = readInteger(entry['max-cores'], Infinity);
  const maxRam = readInteger(entry['max-ram'], Infinity);
  const maxResources = readIntegerMap(entry['max-resources']);

  const cloudImages = readEntriesByName(entry, 'cloud-images', context, parseCloudImage);
  const providerDiskimages = readEntriesByName(entry, 'diskimages', context, (image) => parseDiskImage(image, context));

  const pools = new Map<string, AwsPoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const poolName = poolEntry.name as string;
    const poolHostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? hostKeyChecking;
    const availabilityZone = (poolEntry['availability-zone'] as string | undefined) ?? null;
    const labels = new Map<string, AwsLabelConfig>();
    readEntries(poolEntry.labels).forEach((labelEntry, labelIndex) => {
      const name = labelEntry.name as string;
      const where = ['pools', poolIndex, 'labels', labelIndex];
      const cloudImageName = labelEntry['cloud-image'] as string | undefined;
      // As in the original, an empty name counts as no reference.
      if (cloudImageName && !cloudImages.has(cloudImageName)) {
        context.report([...where, 'cloud-image'], `cloud-image ${cloudImageName} does not exist in provider ${providerName} but is referenced in label ${name}`);
      }
      const diskimageName = labelEntry.diskimage as string | undefined;
      if (diskimageName && !providerDiskimages.has(diskimageName)) {
        context.report([...where, 'diskimage'], `diskimage ${diskimageName} does not exist in provider ${providerName} but is referenced in label ${name}`);
      }
      const useSpot = labelEntry['use-spot'] === true;
      const dedicatedHost = labelEntry['dedicated-host'] === true;
      const fallbackToOnDemand = labelEntry['fallback-to-on-demand'] === true;
      if (dedicatedHost && useSpot) context.report([...where, 'dedicated-host'], `label ${name}: spot instances cannot be launched on a dedicated host (use-spot and dedicated-host)`);
      if (dedicatedHost && availabilityZone === null) {
        context.report([...where, 'dedicated-host'], `label ${name} asks for dedicated hosts, which are allocated in one zone: set availability-zone on pool ${poolName}`);
      }
      if (fallbackToOnDemand && !useSpot) context.report([...where, 'fallback-to-on-demand'], `label ${name}: fallback-to-on-demand applies to spot labels only (set use-spot)`);
      // Where the node's connection details come from: its cloud image, or its diskimage.
      const image = (cloudImageName && cloudImages.get(cloudImageName)) || (diskimageName && providerDiskimages.get(diskimageName)) || undefined;
      const profile = labelEntry['iam-instance-profile'] as AwsIamInstanceProfile | undefined;
      labels.set(name, {
        name,
        poolName,
        cloudImage: cloudImageName || undefined,
        diskimage: diskimageName || undefined,
        instanceType: labelEntry['instance-type'] as string,
        keyName: labelEntry['key-name'] as string,
        ebsOptimized: labelEntry['ebs-optimized'] === true,
        volumeType: (labelEntry['volume-type'] as string | undefined) ?? null,
        volumeSize: readInteger(labelEntry['volume-size']) ?? null,
        iops: readInteger(labelEntry.iops) ?? null,
        throughput: readInteger(labelEntry.throughput) ?? null,
        userdata: (labelEntry.userdata as string | undefined) ?? null,
        iamInstanceProfile: profile ? { ...profile } : null,
        tags: (labelEntry.tags as Record<string, unknown> | undefined) ?? {},
        dynamicTags: (labelEntry['dynamic-tags'] as Record<string, unknown> | undefined) ?? {},
        useSpot,
        hostKeyChecking: poolHostKeyChecking,
        connectionType: image?.connectionType ?? 'ssh',
        connectionPort: image?.connectionPort ?? 22,
        username: image?.username ?? 'zuul',
        pythonPath: image?.pythonPath ?? 'auto',
        shellType: image?.shellType ?? null,
        imdsHttpTokens: (labelEntry['imds-http-tokens'] as AwsImdsHttpTokens | undefined) ?? null,
        dedicatedHost,
        fallbackToOnDemand,
      });
    });
    pools.set(poolName, {
      name: poolName,
      ...readCommonPoolFields(poolEntry, maxServers),
      maxCores: readInteger(poolEntry['max-cores'], maxCores),
      maxRam: readInteger(poolEntry['max-ram'], maxRam),
      maxResources: { ...maxResources, ...readIntegerMap(poolEntry['max-resources']) },
      labels,
      securityGroupId: (poolEntry['security-group-id'] as string | undefined) ?? null,
      subnetId: (poolEntry['subnet-id'] as string | undefined) ?? null,
      publicIpv4: (poolEntry['public-ip-address'] as boolean | undefined) ?? (poolEntry['public-ipv4'] as boolean | undefined) ?? publicIpv4,
      publicIpv6: (poolEntry['public-ipv6'] as boolean | undefined) ?? publicIpv6,
      useInternalIp: (poolEntry['use-internal-ip'] as boolean | undefined) ?? useInternalIp,
      hostKeyChecking: poolHostKeyChecking,
      availabilityZone,
    });
  });

  const objectStorage = get<Entry>('object-storage');
  const diskimages = [...providerDiskimages.keys()];
  return {
    ...readCommonProviderFields(entry),
    driver: 'aws',
    pools,
    // Differs from Nodepool: 9.0.0's manage_images is always true here, which with no
    // diskimages changes nothing; core's contract asks for whether there are any.
    manageImages: diskimages.length > 0,
    diskimages,
    raw: entry,
    regionName: entry['region-name'] as string,
    profileName: get<string>('profile-name') ?? null,
    endpointUrl: get<string>('endpoint-url') ?? null,
    rate: readFloat(entry.rate, 2),
    bootTimeout: readInteger(entry['boot-timeout'], 180),
    launchRetries: readInteger(entry['launch-retries'], 3),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    useInternalIp,
    hostKeyChecking,
    publicIpv4,
    publicIpv6,
    postUploadHook: get<string>('post-upload-hook') ?? null,
    objectStorage: objectStorage ? { bucketName: objectStorage['bucket-name'] as string } : null,
    imageFormat: get<AwsProviderConfig['imageFormat']>('image-format') ?? 'raw',
    imageImportTimeout: readInteger(entry['image-import-timeout']) ?? null,
    imageNameFormat: '{image_name}-{timestamp}',
    maxServers,
    maxCores,
    maxRam,
    maxResources,
    cloudImages,
    providerDiskimages,
  };
}
