import {
  commonPoolKeys,
  readCommonPoolFields,
  readCommonProviderFields,
  readConnection,
  readEntries,
  readEntriesByName,
  readFloat,
  readInteger,
  readOptional,
  schema as s,
  type ConfigContext,
  type ConfigLabel,
  type ConfigPool,
  type ProviderConfig,
} from '@nodepool/core';

/** `image-filter` of a cloud image: every given field must match the image. */
export interface IbmVpcImageFilter {
  readonly operatingSystem?: {
    readonly architecture?: string;
    readonly dedicatedHostOnly?: boolean;
    readonly displayName?: string;
    readonly family?: string;
    readonly href?: string;
    readonly name?: string;
    readonly vendor?: string;
    readonly version?: string;
  };
  /** `provider` or `user`. */
  readonly ownerType?: string;
  readonly status?: string;
}

/** An image that already exists in the cloud (IBM VPC Driver docs: `cloud-images`). */
export interface IbmVpcCloudImageConfig {
  readonly name: string;
  readonly username: string;
  /** Names of SSH keys to install on the node; empty when not set. */
  readonly keys: readonly string[];
  /** Exactly one of the four image selectors is set. */
  readonly imageHref: string | null;
  readonly imageId: string | null;
  readonly imageName: string | null;
  readonly imageFilter: IbmVpcImageFilter | null;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly connectionType: string;
  /** 22, or 5986 for `winrm`, unless set. */
  readonly connectionPort: number;
}

/** A diskimage uploaded to this provider (`providers.[ibmvpc].diskimages`). */
export interface IbmVpcDiskImageConfig {
  readonly name: string;
  /** The IBM Cloud operating-system record the custom image claims, e.g. `debian-9-amd64`. */
  readonly operatingSystem: string;
  /** Uploads are paused. */
  readonly pause: boolean;
  /** From the top-level diskimage (the provider entry has no username). */
  readonly username: string;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly connectionType: string;
  readonly connectionPort: number;
}

export interface IbmVpcLabelConfig extends ConfigLabel {
  /** The pool the label is in (its zone, subnet and floating IP setting apply). */
  readonly poolName: string;
  /** The instance profile, e.g. `cx2-2x4`. */
  readonly profile: string;
  readonly userData: string | null;
  /** The pool's setting, copied for the launch. */
  readonly hostKeyChecking: boolean;
  /** From the label's cloud image, or the provider's entry of its diskimage. */
  readonly username: string;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly connectionType: string;
  readonly connectionPort: number;
}

export interface IbmVpcPoolConfig extends ConfigPool<IbmVpcLabelConfig> {
  /** The pool's zone, else the provider's (one of them is required at load). */
  readonly zone: string;
  /** The pool's subnet, else the provider's (one of them is required at load). */
  readonly subnet: string;
  readonly publicIpv4: boolean;
  readonly useInternalIp: boolean;
  readonly hostKeyChecking: boolean;
}

export interface IbmVpcObjectStorageConfig {
  readonly instanceName: string;
  readonly endpoint: string;
  readonly bucketName: string;
}

export interface IbmVpcProviderConfig extends ProviderConfig<IbmVpcPoolConfig> {
  readonly vpc: string;
  readonly region: string;
  /** Defaults for pools; null when only pools set them. */
  readonly zone: string | null;
  readonly subnet: string | null;
  readonly cloudImages: ReadonlyMap<string, IbmVpcCloudImageConfig>;
  /** Settings of the diskimages uploaded here, by name (`diskimages` lists the names). */
  readonly diskimageSettings: ReadonlyMap<string, IbmVpcDiskImageConfig>;
  /** Known quota, since the API does not tell; Infinity where not given. */
  readonly quota: { readonly instances: number; readonly cores: number; readonly ram: number };
  /** Pool defaults: false, false, true. */
  readonly publicIpv4: boolean;
  readonly useInternalIp: boolean;
  readonly hostKeyChecking: boolean;
  readonly postUploadHook: string | null;
  /** Seconds between API calls; default 1. */
  readonly rate: number;
  /** Seconds to wait for SSH once the instance runs; default 120. */
  readonly bootTimeout: number;
  /** Seconds to wait for the instance to run; default 3600. */
  readonly launchTimeout: number;
  /** Always true: as in Nodepool 9.0.0, `boot-timeout` bounds the SSH check once the instance runs. */
  readonly bootTimeoutAfterReady: true;
  readonly launchRetries: number;
  /** An env-style file with the credentials; else they come from the environment. */
  readonly credentialsFile: string | null;
  /** Where the builder stages image files; required to upload diskimages. */
  readonly objectStorage: IbmVpcObjectStorageConfig | null;
  /** `image-format` (default qcow2): what the builder makes; 9.0.0's schema lacks the key. */
  readonly imageFormat: string;
  /** Name of uploaded images, with `{upload_id}` filled in. */
  readonly imageNameFormat: string;
}

const label = s.mapping({
  name: s.required(s.str),
  // Neither is required, and both may be given: the docs' "mutually exclusive" is not enforced.
  'cloud-image': s.str,
  diskimage: s.str,
  profile: s.required(s.str),
  'user-data': s.str,
});

const pool = s.mapping({
  ...commonPoolKeys,
  // re.match: only a name that starts with an underscore (or is empty) fails here.
  name: s.required(s.match(/[^_]+/, 'a name that does not start with an underscore')),
  labels: s.required(s.list(label)),
  zone: s.str,
  subnet: s.str,
  'public-ipv4': s.bool,
  'use-internal-ip': s.bool,
  'host-key-checking': s.bool,
});

const imageFilter = s.mapping({
  'operating-system': s.mapping({
    architecture: s.str,
    'dedicated-host-only': s.bool,
    'display-name': s.str,
    family: s.str,
    href: s.str,
    name: s.str,
    vendor: s.str,
    version: s.str,
  }),
  'owner-type': s.str,
  status: s.str,
});

const imageSelectors = ['image-href', 'image-id', 'image-name', 'image-filter'] as const;

const cloudImage = s.mapping(
  {
    name: s.required(s.str),
    username: s.required(s.str),
    keys: s.list(s.str),
    'image-href': s.exclusive('spec', s.str),
    'image-id': s.exclusive('spec', s.str),
    'image-name': s.exclusive('spec', s.str),
    'image-filter': s.exclusive('spec', imageFilter),
    'connection-type': s.str,
    'connection-port': s.int,
    'python-path': s.str,
    'shell-type': s.str,
  },
  { requireOneOf: [{ keys: imageSelectors, message: 'Provide either "image-filter", "image-href", "image-id", or "image-name" keys' }] },
);

const diskimage = s.mapping({
  name: s.required(s.str),
  'operating-system': s.required(s.str),
  pause: s.bool,
  'connection-type': s.str,
  'connection-port': s.int,
  'python-path': s.str,
  'shell-type': s.str,
});

/**
 * An ibmvpc provider entry, without the keys core adds for every provider.
 *
 * Nodepool's own schema overrides `name` with `^[^_]+$`, but its validator then extends the
 * schema with the common keys, which puts the plain `name: str` back: `config-validate`
 * accepts underscores. We do the same here and refuse them at load instead (see parse).
 */
export const ibmVpcProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  vpc: s.required(s.str),
  region: s.required(s.str),
  zone: s.str,
  subnet: s.str,
  'cloud-images': s.list(cloudImage),
  diskimages: s.list(diskimage),
  quota: s.mapping({ instances: s.int, cores: s.int, ram: s.int }),
  'public-ipv4': s.bool,
  'use-internal-ip': s.bool,
  'host-key-checking': s.bool,
  'post-upload-hook': s.str,
  rate: s.coerceFloat,
  'boot-timeout': s.int,
  'launch-timeout': s.int,
  'launch-retries': s.int,
  'credentials-file': s.str,
  'object-storage': s.mapping({
    'instance-name': s.required(s.str),
    endpoint: s.required(s.str),
    'bucket-name': s.required(s.str),
  }),
  // Read by 9.0.0's load (default qcow2), missing from its schema.
  'image-format': s.loadOnly(s.str),
});

type Entry = Readonly<Record<string, unknown>>;

function parseImageFilter(entry: Entry): IbmVpcImageFilter {
  const os = entry['operating-system'] as Entry | undefined;
  return {
    ...(os && {
      operatingSystem: {
        ...(os.architecture !== undefined && { architecture: os.architecture as string }),
        ...(os['dedicated-host-only'] !== undefined && { dedicatedHostOnly: os['dedicated-host-only'] as boolean }),
        ...(os['display-name'] !== undefined && { displayName: os['display-name'] as string }),
        ...(os.family !== undefined && { family: os.family as string }),
        ...(os.href !== undefined && { href: os.href as string }),
        ...(os.name !== undefined && { name: os.name as string }),
        ...(os.vendor !== undefined && { vendor: os.vendor as string }),
        ...(os.version !== undefined && { version: os.version as string }),
      },
    }),
    ...(entry['owner-type'] !== undefined && { ownerType: entry['owner-type'] as string }),
    ...(entry.status !== undefined && { status: entry.status as string }),
  };
}

function parseCloudImage(entry: Entry): IbmVpcCloudImageConfig {
  const filter = entry['image-filter'] as Entry | undefined;
  return {
    name: entry.name as string,
    username: entry.username as string,
    keys: (entry.keys as string[] | undefined) ?? [],
    imageHref: readOptional(entry['image-href']),
    imageId: readOptional(entry['image-id']),
    imageName: readOptional(entry['image-name']),
    imageFilter: filter ? parseImageFilter(filter) : null,
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: readOptional(entry['shell-type']),
    ...readConnection(entry),
  };
}

function parseDiskImage(entry: Entry, context: ConfigContext): IbmVpcDiskImageConfig {
  return {
    name: entry.name as string,
    operatingSystem: entry['operating-system'] as string,
    pause: (entry.pause as boolean | undefined) ?? false,
    // A name missing from the top-level diskimages is reported by core.
    username: context.diskimages.get(entry.name as string)?.username ?? 'zuul',
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: readOptional(entry['shell-type']),
    ...readConnection(entry),
  };
}

export function parseIbmVpcConfig(entry: Entry, context: ConfigContext): IbmVpcProviderConfig {
  const providerName = entry.name as string;
  // Differs from Nodepool: its launcher refuses underscores only when it starts the provider
  // (the names make up resource group names, np_<provider>_<pool>); we refuse them at load.
  if (providerName.includes('_')) context.report(['name'], 'an ibmvpc provider name may not contain underscores');

  const cloudImages = readEntriesByName(entry, 'cloud-images', context, parseCloudImage);
  const diskimageSettings = readEntriesByName(entry, 'diskimages', context, (image) => parseDiskImage(image, context));

  const zone = readOptional<string>(entry.zone);
  const subnet = readOptional<string>(entry.subnet);
  const publicIpv4 = (entry['public-ipv4'] as boolean | undefined) ?? false;
  const useInternalIp = (entry['use-internal-ip'] as boolean | undefined) ?? false;
  const hostKeyChecking = (entry['host-key-checking'] as boolean | undefined) ?? true;

  const pools = new Map<string, IbmVpcPoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const path = ['pools', poolIndex];
    const name = poolEntry.name as string;
    if (name.includes('_')) context.report([...path, 'name'], 'an ibmvpc pool name may not contain underscores');
    // Nodepool reads these with pool_config['max-servers'] and the like, failing to load without.
    if (poolEntry['max-servers'] === undefined) context.report([...path, 'max-servers'], 'required key not provided (an ibmvpc pool must set max-servers)');
    const poolZone = (poolEntry.zone as string | undefined) ?? zone;
    const poolSubnet = (poolEntry.subnet as string | undefined) ?? subnet;
    if (!poolZone) context.report([...path, 'zone'], 'Zone is required in provider or pool config');
    if (!poolSubnet) context.report([...path, 'subnet'], 'Subnet is required in provider or pool config');
    const poolHostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? hostKeyChecking;

    const labels = new Map<string, IbmVpcLabelConfig>();
    readEntries(poolEntry.labels).forEach((labelEntry, labelIndex) => {
      const labelName = labelEntry.name as string;
      const cloudImage = labelEntry['cloud-image'] as string | undefined;
      const diskimage = labelEntry.diskimage as string | undefined;
      // Like Nodepool, an empty name counts as not given.
      if (cloudImage && !cloudImages.has(cloudImage)) {
        context.report(
          [...path, 'labels', labelIndex, 'cloud-image'],
          `cloud-image ${cloudImage} does not exist in provider ${providerName} but is referenced in label ${labelName}`,
        );
      }
      if (diskimage && !diskimageSettings.has(diskimage)) {
        context.report(
          [...path, 'labels', labelIndex, 'diskimage'],
          `diskimage ${diskimage} does not exist in provider ${providerName} but is referenced in label ${labelName}`,
        );
      }
      const image = (cloudImage ? cloudImages.get(cloudImage) : undefined) ?? (diskimage ? diskimageSettings.get(diskimage) : undefined);
      labels.set(labelName, {
        name: labelName,
        poolName: name,
        cloudImage: cloudImage || undefined,
        diskimage: diskimage || undefined,
        profile: labelEntry.profile as string,
        userData: readOptional(labelEntry['user-data']),
        hostKeyChecking: poolHostKeyChecking,
        username: image?.username ?? 'zuul',
        pythonPath: image?.pythonPath ?? 'auto',
        shellType: image?.shellType ?? null,
        connectionType: image?.connectionType ?? 'ssh',
        connectionPort: image?.connectionPort ?? 22,
      });
    });

    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry),
      labels,
      zone: poolZone ?? '',
      subnet: poolSubnet ?? '',
      publicIpv4: (poolEntry['public-ipv4'] as boolean | undefined) ?? publicIpv4,
      useInternalIp: (poolEntry['use-internal-ip'] as boolean | undefined) ?? useInternalIp,
      hostKeyChecking: poolHostKeyChecking,
    });
  });

  const quota = (entry.quota as Entry | undefined) ?? {};
  const objectStorage = entry['object-storage'] as Entry | undefined;
  return {
    ...readCommonProviderFields(entry),
    driver: 'ibmvpc',
    pools,
    // As in Nodepool, even without diskimages: the builder still removes uploads left over
    // from diskimages taken out of the list.
    manageImages: true,
    diskimages: [...diskimageSettings.keys()],
    raw: entry,
    vpc: entry.vpc as string,
    region: entry.region as string,
    zone,
    subnet,
    cloudImages,
    diskimageSettings,
    quota: {
      instances: readInteger(quota.instances, Infinity),
      cores: readInteger(quota.cores, Infinity),
      ram: readInteger(quota.ram, Infinity),
    },
    publicIpv4,
    useInternalIp,
    hostKeyChecking,
    postUploadHook: readOptional(entry['post-upload-hook']),
    rate: readFloat(entry.rate, 1),
    bootTimeout: readInteger(entry['boot-timeout'], 120),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    bootTimeoutAfterReady: true,
    launchRetries: readInteger(entry['launch-retries'], 3),
    credentialsFile: readOptional(entry['credentials-file']),
    objectStorage: objectStorage
      ? {
          instanceName: objectStorage['instance-name'] as string,
          endpoint: objectStorage.endpoint as string,
          bucketName: objectStorage['bucket-name'] as string,
        }
      : null,
    imageFormat: readOptional<string>(entry['image-format']) ?? 'qcow2',
    imageNameFormat: 'npimage{upload_id}',
  };
}
