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
import { loadCloudConfig } from './client/cloud-config.js';

/**
 * A provider `diskimages:` entry: a top-level diskimage nodepool-builder uploads to this cloud
 * (OpenStack Driver docs: `providers.[openstack].diskimages`).
 */
export interface OpenStackDiskImageConfig {
  readonly name: string;
  /** When true, nodepool-builder does not upload the image here. */
  readonly pause: boolean;
  /** `config-drive`; null leaves it to the cloud's default. */
  readonly configDrive: boolean | null;
  /** Glance image properties set on upload (`meta`). */
  readonly meta: Readonly<Record<string, unknown>>;
  readonly connectionType: string;
  /** Default 22, or 5986 for `winrm`. */
  readonly connectionPort: number;
  /** From the top-level diskimage. */
  readonly username: string;
  /** From the top-level diskimage. */
  readonly pythonPath: string;
  /** From the top-level diskimage. */
  readonly shellType: string | null;
}

/** A `cloud-images:` entry: an image that already exists in the cloud. */
export interface OpenStackCloudImageConfig {
  readonly name: string;
  readonly configDrive: boolean | null;
  /** Select the image by ID (exclusive with imageName). */
  readonly imageId: string | null;
  /** Select the image by name or ID (exclusive with imageId). */
  readonly imageName: string | null;
  /** What to look the image up by: imageId, else imageName, else the entry's name. */
  readonly externalName: string;
  readonly username: string | null;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly connectionType: string;
  /** Default 22, or 5986 for `winrm`. */
  readonly connectionPort: number;
}

/** A label as an openstack pool offers it (`providers.[openstack].pools.labels`). */
export interface OpenStackLabelConfig extends ConfigLabel {
  /** The pool offering it. */
  readonly poolName: string;
  /** The top-level diskimage to boot from; exactly one of diskimage and cloudImage is set. */
  readonly diskimage?: string | undefined;
  /** The provider's `cloud-images` entry to boot from. */
  readonly cloudImage?: string | undefined;
  /** The smallest flavor with at least this much RAM (MB); 0 when not set. */
  readonly minRam: number;
  /** Flavor name (or substring of it, together with minRam); null when not set. */
  readonly flavorName: string | null;
  readonly keyName: string | null;
  /** Fetch the console log when a node fails its ready check. */
  readonly consoleLog: boolean;
  readonly bootFromVolume: boolean;
  /** GB, for boot-from-volume; default 50. */
  readonly volumeSize: number;
  /** Server metadata set at boot. */
  readonly instanceProperties: Readonly<Record<string, unknown>>;
  /** Like instanceProperties, but values are format strings over the request. */
  readonly dynamicInstanceProperties: Readonly<Record<string, unknown>>;
  readonly userdata: string | null;
  /** The label's networks, else the pool's. */
  readonly networks: readonly string[];
  /** The label's setting, else the pool's. */
  readonly hostKeyChecking: boolean;
  /** From the cloud image, or the provider diskimage (the kit writes them to the node). */
  readonly username: string | null;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly connectionType: string;
  readonly connectionPort: number;
}

export interface OpenStackPoolConfig extends ConfigPool<OpenStackLabelConfig> {
  /** `max-cores`; Infinity when not set. */
  readonly maxCores: number;
  /** `max-ram` (MB); Infinity when not set. */
  readonly maxRam: number;
  /** `max-volumes`; Infinity when not set. */
  readonly maxVolumes: number;
  /** `max-volume-gb`; Infinity when not set. */
  readonly maxVolumeGb: number;
  /** Check only the pool's own limits, not the cloud's quota (the launcher honours it). */
  readonly ignoreProviderQuota: boolean;
  /** `availability-zones`; null means every zone the cloud reports. */
  readonly availabilityZones: readonly string[] | null;
  /** `max-volumes` and `max-volume-gb` as the launcher counts them (`volumes`, `volume-gb`). */
  readonly maxResources: Readonly<Record<string, number>>;
  readonly networks: readonly string[];
  readonly securityGroups: readonly string[];
  readonly autoFloatingIp: boolean;
  readonly hostKeyChecking: boolean;
}

export interface OpenStackProviderConfig extends ProviderConfig<OpenStackPoolConfig> {
  /** clouds.yaml's `image_format` for the cloud (what nodepool-builder builds for it); qcow2 when unset or unreadable. */
  readonly imageFormat: string;
  /** The `clouds.yaml` cloud name. */
  readonly cloud: string;
  readonly regionName: string | null;
  /** `rate`: seconds between API calls; default 1. */
  readonly rateSeconds: number;
  /** Mutating API calls per second, as the kit paces them: 1 / `rate` (unlimited for 0). */
  readonly rate: number;
  /** The kit runs launches with Nodepool 9.0.0's timeouts: launch-timeout until active, then boot-timeout for SSH. */
  readonly bootTimeoutAfterReady: true;
  /** Seconds to wait for SSH once a server is active; default 60. */
  readonly bootTimeout: number;
  /** Seconds to wait for a server to become active; default 3600. */
  readonly launchTimeout: number;
  /** Launch attempts before a node fails; default 3. */
  readonly launchRetries: number;
  /** Delete unattached floating IPs; null (off) when not set. */
  readonly cleanFloatingIps: boolean | null;
  /** Seconds between cleanups of DOWN ports; default 600. */
  readonly portCleanupInterval: number;
  /** Default `{image_name}-{timestamp}`. */
  readonly imageNameFormat: string;
  readonly postUploadHook: string | null;
  /** The `diskimages:` entries by name (`diskimages` holds their names). */
  readonly diskimageSettings: ReadonlyMap<string, OpenStackDiskImageConfig>;
  /** The `cloud-images:` entries by name. */
  readonly cloudImages: ReadonlyMap<string, OpenStackCloudImageConfig>;
}

// ---- schema (Nodepool 9.0.0 openstack/config.py getSchema) --------------------------------

const providerDiskImage = s.mapping({
  // Not required by the schema, though the docs say so; a missing name is a load error.
  name: s.str,
  pause: s.bool,
  meta: s.anyMapping,
  'config-drive': s.bool,
  'connection-type': s.str,
  'connection-port': s.int,
});

const cloudImage = s.mapping({
  name: s.str,
  'config-drive': s.bool,
  'connection-type': s.str,
  'connection-port': s.int,
  'image-id': s.exclusive('cloud-image-name-or-id', s.str),
  'image-name': s.exclusive('cloud-image-name-or-id', s.str),
  username: s.str,
  'python-path': s.str,
  'shell-type': s.str,
});

const poolLabelMain = s.mapping({
  name: s.required(s.str),
  diskimage: s.exclusive('label-image', s.str),
  'cloud-image': s.exclusive('label-image', s.str),
  'min-ram': s.int,
  'flavor-name': s.str,
  'key-name': s.str,
  'console-log': s.bool,
  'boot-from-volume': s.bool,
  'volume-size': s.int,
  'instance-properties': s.anyMapping,
  'dynamic-instance-properties': s.anyMapping,
  userdata: s.str,
  networks: s.list(s.str),
  'host-key-checking': s.bool,
});

/** `v.Any({Required(a): ..., extra}, {Required(b): ..., extra})` once the types are checked. */
function oneOfKeysPresent(keys: readonly string[], message: string): s.Schema {
  return s.mapping({}, { extra: 'allow', requireOneOf: [{ keys, message }] });
}

/**
 * `v.All(main, v.Any(min-ram, flavor-name), v.Any(diskimage, cloud-image))`: at least one of
 * min-ram and flavor-name (both is fine), and exactly one of diskimage and cloud-image.
 */
const poolLabel = s.all(
  poolLabelMain,
  oneOfKeysPresent(['min-ram', 'flavor-name'], 'a label needs min-ram or flavor-name (or both)'),
  oneOfKeysPresent(['diskimage', 'cloud-image'], 'a label needs diskimage or cloud-image (one of them)'),
);

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.str,
  networks: s.list(s.str),
  'auto-floating-ip': s.bool,
  'host-key-checking': s.bool,
  'ignore-provider-quota': s.bool,
  'max-cores': s.int,
  'max-ram': s.int,
  'max-volumes': s.int,
  'max-volume-gb': s.int,
  labels: s.list(poolLabel),
  'availability-zones': s.list(s.str),
  'security-groups': s.list(s.str),
});

/** An openstack (or fake) provider entry, without the keys core adds for every provider. */
export const openStackProviderSchema = s.mapping({
  cloud: s.required(s.str),
  'region-name': s.str,
  'boot-timeout': s.int,
  'launch-timeout': s.int,
  'launch-retries': s.int,
  // Deprecated and ignored, still accepted.
  'nodepool-id': s.str,
  rate: s.coerceFloat,
  // Unused since the state-machine rewrite, but accepted until Nodepool 10.0.0 removed it.
  'hostname-format': s.str,
  'image-name-format': s.str,
  'clean-floating-ips': s.bool,
  'port-cleanup-interval': s.int,
  'post-upload-hook': s.str,
  pools: s.list(pool),
  diskimages: s.list(providerDiskImage),
  'cloud-images': s.list(cloudImage),
});

// ---- building ------------------------------------------------------------------------------

/**
 * The cloud's `image_format` from clouds.yaml, as the original reads it when it loads the
 * provider. A cloud that cannot be read here (no clouds.yaml on a machine that only validates)
 * is qcow2: the launcher reports an unreadable cloud when it starts the provider.
 */
function cloudImageFormat(cloud: string, regionName: string | null): string {
  try {
    return loadCloudConfig(cloud, regionName).imageFormat;
  } catch {
    return 'qcow2';
  }
}

type Entry = Readonly<Record<string, unknown>>;

function parseDiskImage(entry: Entry, context: ConfigContext): OpenStackDiskImageConfig {
  const name = entry.name as string;
  // A name missing from the top-level diskimages is reported by core.
  const image = context.diskimages.get(name);
  return {
    name,
    pause: entry.pause === true,
    configDrive: readOptional<boolean>(entry['config-drive']),
    meta: (entry.meta as Record<string, unknown> | undefined) ?? {},
    ...readConnection(entry),
    username: image?.username ?? 'zuul',
    pythonPath: image?.pythonPath ?? 'auto',
    shellType: image?.shellType ?? null,
  };
}

function parseCloudImage(entry: Entry): OpenStackCloudImageConfig {
  const name = entry.name as string;
  const imageId = readOptional<string>(entry['image-id']);
  const imageName = readOptional<string>(entry['image-name']);
  return {
    name,
    configDrive: readOptional<boolean>(entry['config-drive']),
    imageId,
    imageName,
    externalName: imageId || imageName || name,
    username: readOptional<string>(entry.username),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: readOptional<string>(entry['shell-type']),
    ...readConnection(entry),
  };
}

/**
 * Builds the typed config of an openstack (or fake) provider entry that passed
 * `openStackProviderSchema`. Reports what the original's load would stop at: entries without a
 * name, a label's diskimage missing from the top-level diskimages, a label's cloud-image
 * missing from the provider's cloud-images.
 */
export function parseOpenStackConfig(entry: Entry, context: ConfigContext, driver = 'openstack'): OpenStackProviderConfig {
  // Neither schema requires the name, but the original's load fails without one.
  const diskimageSettings = readEntriesByName(entry, 'diskimages', context, (image) => parseDiskImage(image, context));
  const cloudImages = readEntriesByName(entry, 'cloud-images', context, parseCloudImage);

  const rateSeconds = readFloat(entry.rate, 1);
  const pools = new Map<string, OpenStackPoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    if (typeof poolEntry.name !== 'string') context.report(['pools', poolIndex, 'name'], 'required key not provided');
    const name = (poolEntry.name as string | undefined) ?? '';
    const networks = (poolEntry.networks as string[] | undefined) ?? [];
    const hostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? true;
    const labels = new Map<string, OpenStackLabelConfig>();
    readEntries(poolEntry.labels).forEach((label, labelIndex) => {
      const path = ['pools', poolIndex, 'labels', labelIndex];
      // As in the original, an empty string counts as not set.
      const diskimage = (label.diskimage as string | undefined) || undefined;
      const cloudImage = (label['cloud-image'] as string | undefined) || undefined;
      if (diskimage && !context.diskimages.has(diskimage)) {
        context.report([...path, 'diskimage'], `diskimage "${diskimage}" is not defined in the top-level diskimages`);
      }
      if (cloudImage && !cloudImages.has(cloudImage)) {
        context.report([...path, 'cloud-image'], `cloud-image "${cloudImage}" is not defined in this provider's cloud-images`);
      }
      const image = diskimage ? diskimageSettings.get(diskimage) : cloudImage ? cloudImages.get(cloudImage) : undefined;
      labels.set(label.name as string, {
        name: label.name as string,
        poolName: name,
        diskimage,
        cloudImage,
        minRam: readInteger(label['min-ram'], 0),
        flavorName: readOptional<string>(label['flavor-name']),
        keyName: readOptional<string>(label['key-name']),
        consoleLog: label['console-log'] === true,
        bootFromVolume: label['boot-from-volume'] === true,
        volumeSize: readInteger(label['volume-size'], 50),
        instanceProperties: (label['instance-properties'] as Record<string, unknown> | undefined) ?? {},
        dynamicInstanceProperties: (label['dynamic-instance-properties'] as Record<string, unknown> | undefined) ?? {},
        userdata: readOptional<string>(label.userdata),
        networks: (label.networks as string[] | undefined) ?? networks,
        hostKeyChecking: (label['host-key-checking'] as boolean | undefined) ?? hostKeyChecking,
        username: image?.username ?? null,
        pythonPath: image?.pythonPath ?? 'auto',
        shellType: image?.shellType ?? null,
        connectionType: image?.connectionType ?? 'ssh',
        connectionPort: image?.connectionPort ?? 22,
      });
    });
    const maxVolumes = readInteger(poolEntry['max-volumes'], Infinity);
    const maxVolumeGb = readInteger(poolEntry['max-volume-gb'], Infinity);
    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry),
      maxCores: readInteger(poolEntry['max-cores'], Infinity),
      maxRam: readInteger(poolEntry['max-ram'], Infinity),
      maxVolumes,
      maxVolumeGb,
      // As the original, a limit of 0 counts as none (and an unset one is unlimited anyway).
      maxResources: { ...(maxVolumes && Number.isFinite(maxVolumes) ? { volumes: maxVolumes } : {}), ...(maxVolumeGb && Number.isFinite(maxVolumeGb) ? { 'volume-gb': maxVolumeGb } : {}) },
      ignoreProviderQuota: poolEntry['ignore-provider-quota'] === true,
      availabilityZones: (poolEntry['availability-zones'] as string[] | undefined) ?? null,
      networks,
      securityGroups: (poolEntry['security-groups'] as string[] | undefined) ?? [],
      autoFloatingIp: (poolEntry['auto-floating-ip'] as boolean | undefined) ?? true,
      hostKeyChecking,
      labels,
    });
  });

  return {
    ...readCommonProviderFields(entry),
    driver,
    pools,
    // Differs from Nodepool: the original says every openstack provider manages images; only
    // one that lists diskimages has anything for nodepool-builder to upload.
    manageImages: diskimageSettings.size > 0,
    diskimages: [...diskimageSettings.keys()],
    cloud: entry.cloud as string,
    imageFormat: cloudImageFormat(entry.cloud as string, readOptional<string>(entry['region-name'])),
    regionName: readOptional<string>(entry['region-name']),
    rateSeconds,
    // The original gives openstacksdk 1/rate requests a second, and none at all for 0.
    rate: rateSeconds > 0 ? 1 / rateSeconds : Infinity,
    bootTimeoutAfterReady: true,
    bootTimeout: readInteger(entry['boot-timeout'], 60),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    launchRetries: readInteger(entry['launch-retries'], 3),
    cleanFloatingIps: readOptional<boolean>(entry['clean-floating-ips']),
    portCleanupInterval: readInteger(entry['port-cleanup-interval'], 600),
    imageNameFormat: (entry['image-name-format'] as string | undefined) ?? '{image_name}-{timestamp}',
    postUploadHook: readOptional<string>(entry['post-upload-hook']),
    diskimageSettings,
    cloudImages,
    raw: entry,
  };
}
