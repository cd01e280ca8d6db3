import {
  commonPoolKeys,
  readCommonPoolFields,
  readCommonProviderFields,
  readConnection,
  readEntries,
  readEntriesByName,
  readFloat,
  readInteger,
  schema as s,
  type ConfigContext,
  type StateMachineLabel,
  type StateMachinePool,
  type StateMachineProviderConfig,
} from '@nodepool/core';

// ---- typed configuration ------------------------------------------------------------------

/** `image-reference`: a marketplace image. */
export interface AzureImageReference {
  readonly sku: string;
  readonly publisher: string;
  readonly version: string;
  readonly offer: string;
}

/** `image-filter`: picks a private image of the resource group; every given item must match. */
export interface AzureImageFilter {
  readonly location?: string;
  readonly name?: string;
  readonly tags?: Readonly<Record<string, unknown>>;
}

/** `shared-gallery-image` or `community-gallery-image`. */
export interface AzureGalleryImage {
  readonly galleryName: string;
  readonly name: string;
  /** Null means the latest version. */
  readonly version: string | null;
}

/** An image that exists in the cloud (`providers.[azure].cloud-images`). */
export interface AzureCloudImageConfig {
  readonly name: string;
  readonly username: string;
  /** Administrator password for Windows images. */
  readonly password: string | null;
  readonly generatePassword: boolean;
  /** SSH public key to install; defaults to the provider's deprecated `zuul-public-key`. */
  readonly key: string | null;
  /** Exactly one of the next five is set. */
  readonly imageReference: AzureImageReference | null;
  readonly imageFilter: AzureImageFilter | null;
  readonly imageId: string | null;
  readonly sharedGalleryImage: AzureGalleryImage | null;
  readonly communityGalleryImage: AzureGalleryImage | null;
  readonly connectionType: string;
  /** Default 22, or 5986 for `winrm`. */
  readonly connectionPort: number;
  readonly pythonPath: string;
  readonly shellType: string | null;
}

/** A diskimage nodepool-builder uploads to this provider (`providers.[azure].diskimages`). */
export interface AzureDiskImageConfig {
  /** The name of a top-level diskimage. */
  readonly name: string;
  /** When true the builder does not upload the image. */
  readonly pause: boolean;
  /** Deprecated here; defaults to the top-level diskimage's username. */
  readonly username: string;
  /** Read by the original's load() but not in its schema, so never set. */
  readonly password: null;
  readonly generatePassword: false;
  readonly key: string | null;
  readonly connectionType: string;
  readonly connectionPort: number;
  readonly pythonPath: string;
  readonly shellType: string | null;
  /** `tags`, added to the uploaded image. */
  readonly tags: Readonly<Record<string, unknown>>;
}

/** A label as an Azure pool offers it (`providers.[azure].pools.labels`). */
export interface AzureLabelConfig extends StateMachineLabel {
  /** The pool the label belongs to. */
  readonly poolName: string;
  /** `cloud-image`: a name from the provider's `cloud-images`. */
  readonly cloudImage: string | undefined;
  /** `diskimage`: a name from the provider's `diskimages` (not exclusive with `cloudImage`). */
  readonly diskimage: string | undefined;
  readonly hardwareProfile: { readonly vmSize: string };
  readonly tags: Readonly<Record<string, unknown>>;
  /** Tags whose values are format strings over the request (`{request.id}`). */
  readonly dynamicTags: Readonly<Record<string, unknown>>;
  /** `user-data`, base64-encoded (as the API takes it); null when unset or empty. */
  readonly userData: string | null;
  /** `custom-data`, base64-encoded; null when unset or empty. */
  readonly customData: string | null;
  /** The pool's `host-key-checking`. */
  readonly hostKeyChecking: boolean;
  /** From the label's image (the diskimage's when it has both, as 9.0.0 boots it), for the node record. */
  readonly username: string | null;
  readonly pythonPath: string | null;
  readonly shellType: string | null;
  readonly connectionType: string;
  readonly connectionPort: number;
}

export interface AzurePoolConfig extends StateMachinePool<AzureLabelConfig> {
  /** `max-servers`; the original cannot load a pool without it. */
  readonly maxServers: number;
  /** Private IPv4: `ipv4`, else implied by `publicIpv4`, else true when IPv6 is off too. */
  readonly ipv4: boolean;
  /** Private IPv6: `ipv6`, else implied by `publicIpv6`. */
  readonly ipv6: boolean;
  readonly publicIpv4: boolean;
  readonly publicIpv6: boolean;
  readonly useInternalIp: boolean;
  readonly hostKeyChecking: boolean;
}

/** `network`, with the documented defaults filled in. */
export interface AzureNetworkConfig {
  /** Default: the provider's `resource-group`. */
  readonly resourceGroup: string;
  /** The network name; the schema lets a mapping leave it out. */
  readonly network: string | undefined;
  /** Default `default`. */
  readonly subnet: string;
}

export interface AzureProviderConfig extends StateMachineProviderConfig<AzurePoolConfig> {
  readonly driver: 'azure';
  readonly location: string;
  readonly resourceGroup: string;
  readonly resourceGroupLocation: string;
  /** Path of the service principal's credentials file. */
  readonly authPath: string;
  readonly subnetId: string | null;
  readonly network: AzureNetworkConfig | null;
  /** Provider-level defaults for the pools' settings of the same names. */
  readonly ipv4: boolean | null;
  readonly ipv6: boolean | null;
  readonly publicIpv4: boolean;
  readonly publicIpv6: boolean;
  readonly useInternalIp: boolean;
  readonly hostKeyChecking: boolean;
  readonly postUploadHook: string | null;
  /** API operations per second. */
  readonly rate: number;
  readonly bootTimeout: number;
  readonly launchTimeout: number;
  readonly launchRetries: number;
  /** Deprecated default `key` of cloud images. */
  readonly zuulPublicKey: string | null;
  /** Uploads are always VHDs. */
  readonly imageFormat: 'vhd';
  readonly imageNameFormat: string;
  readonly cloudImages: ReadonlyMap<string, AzureCloudImageConfig>;
  /** The provider's `diskimages:` entries by name (`diskimages` holds just their names). */
  readonly providerDiskimages: ReadonlyMap<string, AzureDiskImageConfig>;
  /** As in 9.0.0: `boot-timeout` starts once the VM is provisioned (it bounds the key scan). */
  readonly bootTimeoutAfterReady: true;
}

// ---- schema (Nodepool 9.0.0, nodepool/driver/azure/config.py) ------------------------------

const galleryImage = s.mapping({
  'gallery-name': s.required(s.str),
  name: s.required(s.str),
  version: s.str,
});

const imageKeys = ['image-reference', 'image-id', 'image-filter', 'community-gallery-image', 'shared-gallery-image'];

const cloudImage = s.all(
  s.mapping({
    name: s.required(s.str),
    username: s.required(s.str),
    password: s.str,
    'generate-password': s.bool,
    key: s.str,
    'image-reference': s.exclusive(
      'spec',
      s.mapping({ sku: s.required(s.str), publisher: s.required(s.str), version: s.required(s.str), offer: s.required(s.str) }),
    ),
    'image-id': s.exclusive('spec', s.str),
    'image-filter': s.exclusive('spec', s.mapping({ location: s.str, name: s.str, tags: s.anyMapping })),
    'community-gallery-image': s.exclusive('spec', galleryImage),
    'shared-gallery-image': s.exclusive('spec', galleryImage),
    'connection-type': s.str,
    'connection-port': s.int,
    'python-path': s.str,
    'shell-type': s.str,
  }),
  s.mapping(
    {},
    {
      extra: 'allow',
      requireOneOf: [
        {
          keys: imageKeys,
          message: 'Provide one of "image-reference", "image-filter", "image-id", "community-gallery-image", or "shared-gallery-image" keys',
        },
      ],
    },
  ),
);

const diskimage = s.mapping({
  name: s.required(s.str),
  username: s.str,
  key: s.str,
  pause: s.bool,
  'connection-type': s.str,
  'connection-port': s.int,
  'python-path': s.str,
  'shell-type': s.str,
  tags: s.anyMapping,
});

const label = s.mapping({
  name: s.required(s.str),
  // Unlike AWS, neither exclusive nor required.
  'cloud-image': s.str,
  diskimage: s.str,
  'hardware-profile': s.required(s.mapping({ 'vm-size': s.required(s.str) })),
  tags: s.anyMapping,
  'dynamic-tags': s.anyMapping,
  'user-data': s.str,
  'custom-data': s.str,
});

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.required(s.str),
  labels: s.required(s.list(label)),
  ipv4: s.bool,
  ipv6: s.bool,
  'public-ipv4': s.bool,
  'public-ipv6': s.bool,
  'use-internal-ip': s.bool,
  'host-key-checking': s.bool,
});

/** An `azure` provider entry. */
export const azureProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  location: s.required(s.str),
  'resource-group': s.required(s.str),
  'resource-group-location': s.required(s.str),
  // Required by the schema, although the original's load() would fall back to $AZURE_AUTH_LOCATION.
  'auth-path': s.required(s.str),
  'subnet-id': s.str,
  network: s.any(s.str, s.mapping({ 'resource-group': s.str, network: s.str, subnet: s.str })),
  'cloud-images': s.list(cloudImage),
  diskimages: s.list(diskimage),
  ipv4: s.bool,
  ipv6: s.bool,
  'public-ipv4': s.bool,
  'public-ipv6': s.bool,
  'use-internal-ip': s.bool,
  'host-key-checking': s.bool,
  'post-upload-hook': s.str,
  rate: s.coerceFloat,
  'boot-timeout': s.int,
  'launch-timeout': s.int,
  'launch-retries': s.int,
  'zuul-public-key': s.str,
});

// ---- building -----------------------------------------------------------------------------

type Entry = Readonly<Record<string, unknown>>;

/** Base64 of a non-empty string, as the original stores user and custom data. */
function encode(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? Buffer.from(value, 'utf8').toString('base64') : null;
}

function galleryImageOf(value: unknown): AzureGalleryImage | null {
  if (!value) return null;
  const entry = value as Entry;
  return { galleryName: entry['gallery-name'] as string, name: entry.name as string, version: (entry.version as string | undefined) ?? null };
}

function parseCloudImage(entry: Entry, zuulPublicKey: string | null): AzureCloudImageConfig {
  const reference = entry['image-reference'] as Entry | undefined;
  const filter = entry['image-filter'] as Entry | undefined;
  return {
    name: entry.name as string,
    username: entry.username as string,
    password: (entry.password as string | undefined) ?? null,
    generatePassword: entry['generate-password'] === true,
    key: (entry.key as string | undefined) ?? zuulPublicKey,
    imageReference: reference
      ? { sku: reference.sku as string, publisher: reference.publisher as string, version: reference.version as string, offer: reference.offer as string }
      : null,
    imageFilter: filter ? { ...(filter as AzureImageFilter) } : null,
    imageId: (entry['image-id'] as string | undefined) ?? null,
    sharedGalleryImage: galleryImageOf(entry['shared-gallery-image']),
    communityGalleryImage: galleryImageOf(entry['community-gallery-image']),
    ...readConnection(entry),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: (entry['shell-type'] as string | undefined) ?? null,
  };
}

function parseDiskImage(entry: Entry, context: ConfigContext): AzureDiskImageConfig {
  const name = entry.name as string;
  return {
    name,
    pause: entry.pause === true,
    // A missing top-level diskimage is reported by core; 'zuul' is the diskimage default.
    username: (entry.username as string | undefined) ?? context.diskimages.get(name)?.username ?? 'zuul',
    password: null,
    generatePassword: false,
    key: (entry.key as string | undefined) ?? null,
    ...readConnection(entry),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: (entry['shell-type'] as string | undefined) ?? null,
    tags: (entry.tags as Record<string, unknown> | undefined) ?? {},
  };
}

function networkOf(value: unknown, resourceGroup: string): AzureNetworkConfig | null {
  if (value === undefined) return null;
  if (typeof value === 'string') return { resourceGroup, network: value, subnet: 'default' };
  const entry = value as Entry;
  return {
    resourceGroup: (entry['resource-group'] as string | undefined) ?? resourceGroup,
    network: entry.network as string | undefined,
    subnet: (entry.subnet as string | undefined) ?? 'default',
  };
}

/** Builds the typed config of an entry that passed `azureProviderSchema`. */
export function parseAzureConfig(entry: Entry, context: ConfigContext): AzureProviderConfig {
  const providerName = entry.name as string;
  const get = <T>(key: string): T | undefined => entry[key] as T | undefined;

  const resourceGroup = entry['resource-group'] as string;
  const zuulPublicKey = get<string>('zuul-public-key') ?? null;
  const publicIpv4 = get<boolean>('public-ipv4') ?? true;
  const publicIpv6 = get<boolean>('public-ipv6') ?? false;
  const ipv4 = get<boolean>('ipv4') ?? null;
  const ipv6 = get<boolean>('ipv6') ?? null;
  const useInternalIp = get<boolean>('use-internal-ip') ?? false;
  const hostKeyChecking = get<boolean>('host-key-checking') ?? true;

  const cloudImages = readEntriesByName(entry, 'cloud-images', context, (image) => parseCloudImage(image, zuulPublicKey));
  const providerDiskimages = readEntriesByName(entry, 'diskimages', context, (image) => parseDiskImage(image, context));

  const pools = new Map<string, AzurePoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const maxServers = readInteger(poolEntry['max-servers']);
    // The original's pool load() reads pool_config['max-servers'] and fails without it.
    if (maxServers === undefined) context.report(['pools', poolIndex], 'max-servers is required in an azure pool (the original cannot load a pool without it)');
    const poolHostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? hostKeyChecking;
    const poolPublicIpv4 = (poolEntry['public-ipv4'] as boolean | undefined) ?? publicIpv4;
    const poolPublicIpv6 = (poolEntry['public-ipv6'] as boolean | undefined) ?? publicIpv6;
    let poolIpv4 = Boolean((poolEntry.ipv4 as boolean | undefined) ?? ipv4) || poolPublicIpv4;
    const poolIpv6 = Boolean((poolEntry.ipv6 as boolean | undefined) ?? ipv6) || poolPublicIpv6;
    if (!poolIpv4 && !poolIpv6) poolIpv4 = true;

    const labels = new Map<string, AzureLabelConfig>();
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
      // 9.0.0 boots the diskimage when a label names both.
      const image = (diskimageName && providerDiskimages.get(diskimageName)) || (cloudImageName && cloudImages.get(cloudImageName)) || undefined;
      labels.set(name, {
        name,
        poolName: poolEntry.name as string,
        username: image?.username ?? null,
        pythonPath: image?.pythonPath ?? null,
        shellType: image?.shellType ?? null,
        connectionType: image?.connectionType ?? 'ssh',
        connectionPort: image?.connectionPort ?? 22,
        cloudImage: cloudImageName || undefined,
        diskimage: diskimageName || undefined,
        hardwareProfile: { vmSize: (labelEntry['hardware-profile'] as Entry)['vm-size'] as string },
        tags: (labelEntry.tags as Record<string, unknown> | undefined) ?? {},
        dynamicTags: (labelEntry['dynamic-tags'] as Record<string, unknown> | undefined) ?? {},
        userData: encode(labelEntry['user-data']),
        customData: encode(labelEntry['custom-data']),
        hostKeyChecking: poolHostKeyChecking,
      });
    });

    const name = poolEntry.name as string;
    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry),
      labels,
      ipv4: poolIpv4,
      ipv6: poolIpv6,
      publicIpv4: poolPublicIpv4,
      publicIpv6: poolPublicIpv6,
      useInternalIp: (poolEntry['use-internal-ip'] as boolean | undefined) ?? useInternalIp,
      hostKeyChecking: poolHostKeyChecking,
    });
  });

  const diskimages = [...providerDiskimages.keys()];
  return {
    ...readCommonProviderFields(entry),
    driver: 'azure',
    pools,
    // Differs from Nodepool: 9.0.0's manage_images is always true here, which with no
    // diskimages changes nothing; core's contract asks for whether there are any.
    manageImages: diskimages.length > 0,
    diskimages,
    raw: entry,
    location: entry.location as string,
    resourceGroup,
    resourceGroupLocation: entry['resource-group-location'] as string,
    authPath: entry['auth-path'] as string,
    subnetId: get<string>('subnet-id') ?? null,
    network: networkOf(entry.network, resourceGroup),
    ipv4,
    ipv6,
    publicIpv4,
    publicIpv6,
    useInternalIp,
    hostKeyChecking,
    postUploadHook: get<string>('post-upload-hook') ?? null,
    rate: readFloat(entry.rate, 1),
    bootTimeout: readInteger(entry['boot-timeout'], 120),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    launchRetries: readInteger(entry['launch-retries'], 3),
    zuulPublicKey,
    imageFormat: 'vhd',
    imageNameFormat: '{image_name}-{timestamp}',
    cloudImages,
    providerDiskimages,
    bootTimeoutAfterReady: true,
  };
}
