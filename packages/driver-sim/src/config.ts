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
  readString,
  schema as s,
  type ConfigContext,
  type ConfigEntry,
  type StateMachineLabel,
  type StateMachinePool,
  type StateMachineProviderConfig,
} from '@nodepool/core';

/** An image the simulated cloud already has (`cloud-images`). */
export interface SimCloudImageConfig {
  readonly name: string;
  /** The image's cloud ID; when null, the cloud's image of the same `name` is used. */
  readonly imageId: string | null;
}

export interface SimLabelConfig extends StateMachineLabel {
  /** A flavor of the cloud (`small`, `medium`, `large` by default). */
  readonly flavor: string;
  /** A name from the provider's `cloud-images`; or else `diskimage` is set. */
  readonly cloudImage: string | undefined;
  /** A name from the provider's `diskimages`. */
  readonly diskimage: string | undefined;
  /** The label's own `host-key-checking`, else the pool's. */
  readonly hostKeyChecking: boolean;
  readonly connectionType: string;
  /** 22, or 5986 for `winrm`, unless set. */
  readonly connectionPort: number;
  /** Default: the diskimage's, else `zuul`. */
  readonly username: string;
  /** Default: the diskimage's, else `auto`. */
  readonly pythonPath: string;
  /** Default: the diskimage's, else null. */
  readonly shellType: string | null;
}

export interface SimPoolConfig extends StateMachinePool<SimLabelConfig> {
  /** `max-cores`; Infinity when not set. */
  readonly maxCores: number;
  /** `max-ram` (MiB); Infinity when not set. */
  readonly maxRam: number;
  /** Default true. */
  readonly hostKeyChecking: boolean;
}

/** A diskimage nodepool-builder uploads to the simulated cloud (`diskimages:` entries). */
export interface SimDiskImageConfig {
  readonly name: string;
  /** When true, nodepool-builder uploads no new builds of it here. */
  readonly pause: boolean;
  /** Added to the uploaded image's metadata. */
  readonly meta: Readonly<Record<string, string>>;
}

export interface SimProviderConfig extends StateMachineProviderConfig<SimPoolConfig> {
  /** Base URL of the simulated cloud's API. */
  readonly endpoint: string;
  readonly cloudImages: ReadonlyMap<string, SimCloudImageConfig>;
  /** The provider's `diskimages:` entries by name (`diskimages` holds their names). */
  readonly diskimageSettings: ReadonlyMap<string, SimDiskImageConfig>;
  /** `image-format`: what nodepool-builder makes and uploads for this cloud; default `qcow2`. */
  readonly imageFormat: string;
  /** `image-name-format`: the uploaded image's name; default `{image_name}-{timestamp}`. */
  readonly imageNameFormat: string;
  /** `post-upload-hook`, run by nodepool-builder after each upload. */
  readonly postUploadHook: string | null;
}

const label = s.mapping(
  {
    name: s.required(s.str),
    flavor: s.required(s.str),
    'cloud-image': s.exclusive('image', s.str),
    diskimage: s.exclusive('image', s.str),
    'host-key-checking': s.bool,
    'connection-type': s.str,
    'connection-port': s.int,
    username: s.str,
    'python-path': s.str,
    'shell-type': s.str,
  },
  { requireOneOf: [{ keys: ['cloud-image', 'diskimage'], message: 'Provide either "cloud-image" or "diskimage"' }] },
);

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.required(s.str),
  'max-cores': s.int,
  'max-ram': s.int,
  'host-key-checking': s.bool,
  labels: s.required(s.list(label)),
});

/** A `sim` provider entry, without the keys core adds for every provider. */
export const simProviderSchema = s.mapping({
  endpoint: s.required(s.match(/https?:\/\/[^\s/]+/, 'an http:// or https:// URL')),
  rate: s.coerceFloat,
  'boot-timeout': s.int,
  'launch-timeout': s.int,
  'launch-retries': s.int,
  'cloud-images': s.list(s.mapping({ name: s.required(s.str), 'image-id': s.str })),
  diskimages: s.list(s.mapping({ name: s.required(s.str), pause: s.bool, meta: s.anyMapping })),
  'image-format': s.str,
  'image-name-format': s.str,
  'post-upload-hook': s.str,
  pools: s.required(s.list(pool)),
});

/** Builds the typed config of an entry that passed `simProviderSchema`; reports bad references. */
export function parseSimConfig(entry: ConfigEntry, context: ConfigContext): SimProviderConfig {
  const providerName = entry.name as string;
  const cloudImages = readEntriesByName(entry, 'cloud-images', context, (image) => ({
    name: image.name as string,
    imageId: readOptional<string>(image['image-id']),
  }));
  const diskimageSettings = readEntriesByName(entry, 'diskimages', context, (image) => ({
    name: image.name as string,
    pause: image.pause === true,
    meta: Object.fromEntries(Object.entries((image.meta as Record<string, unknown> | undefined) ?? {}).map(([key, value]) => [key, String(value)])),
  }));
  const diskimages = [...diskimageSettings.keys()];

  const pools = new Map<string, SimPoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const poolHostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? true;
    const labels = new Map<string, SimLabelConfig>();
    readEntries(poolEntry.labels).forEach((labelEntry, labelIndex) => {
      const name = labelEntry.name as string;
      const where = ['pools', poolIndex, 'labels', labelIndex];
      const cloudImage = readString(labelEntry['cloud-image']);
      if (cloudImage !== undefined && !cloudImages.has(cloudImage)) {
        context.report([...where, 'cloud-image'], `cloud-image ${cloudImage} does not exist in provider ${providerName} but is referenced in label ${name}`);
      }
      const diskimage = readString(labelEntry.diskimage);
      if (diskimage !== undefined && !diskimages.includes(diskimage)) {
        context.report([...where, 'diskimage'], `diskimage ${diskimage} does not exist in provider ${providerName} but is referenced in label ${name}`);
      }
      // A top-level diskimage missing is core's to report; its settings are the defaults here.
      const image = diskimage === undefined ? undefined : context.diskimages.get(diskimage);
      labels.set(name, {
        name,
        flavor: labelEntry.flavor as string,
        cloudImage,
        diskimage,
        hostKeyChecking: (labelEntry['host-key-checking'] as boolean | undefined) ?? poolHostKeyChecking,
        ...readConnection(labelEntry),
        username: readString(labelEntry.username) ?? image?.username ?? 'zuul',
        pythonPath: readString(labelEntry['python-path']) ?? image?.pythonPath ?? 'auto',
        shellType: readString(labelEntry['shell-type']) ?? image?.shellType ?? null,
      });
    });
    const name = poolEntry.name as string;
    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry),
      maxCores: readInteger(poolEntry['max-cores'], Infinity),
      maxRam: readInteger(poolEntry['max-ram'], Infinity),
      hostKeyChecking: poolHostKeyChecking,
      labels,
    });
  });

  const rate = readFloat(entry.rate, 10);
  if (!(rate > 0)) context.report(['rate'], `rate must be a positive number of calls per second, not ${String(entry.rate)}`);

  return {
    ...readCommonProviderFields(entry),
    driver: 'sim',
    pools,
    manageImages: diskimages.length > 0,
    diskimages,
    raw: entry,
    endpoint: entry.endpoint as string,
    rate,
    bootTimeout: readInteger(entry['boot-timeout'], 60),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    launchRetries: readInteger(entry['launch-retries'], 3),
    cloudImages,
    diskimageSettings,
    imageFormat: readString(entry['image-format']) ?? 'qcow2',
    imageNameFormat: readString(entry['image-name-format']) ?? '{image_name}-{timestamp}',
    postUploadHook: readString(entry['post-upload-hook']) ?? null,
  };
}
