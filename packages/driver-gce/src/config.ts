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
  type StateMachineLabel,
  type StateMachinePool,
  type StateMachineProviderConfig,
} from '@nodepool/core';

/** An image that already exists in GCE (GCE Driver docs: `providers.[gce].cloud-images`). */
export interface GceCloudImageConfig {
  readonly name: string;
  /** Selects the image by ID; when null, `imageProject` and `imageFamily` find it. */
  readonly imageId: string | null;
  readonly imageProject: string | null;
  readonly imageFamily: string | null;
  /** The user a consumer connects as. */
  readonly username: string | null;
  /** An SSH public key added to the instance (project-wide keys are added anyway). */
  readonly key: string | null;
  readonly pythonPath: string;
  readonly shellType: string | null;
  readonly connectionType: string;
  /** 22, or 5986 for `winrm`, unless set. */
  readonly connectionPort: number;
}

export interface GceLabelConfig extends StateMachineLabel {
  /** The pool the label belongs to. */
  readonly poolName: string;
  /** Name of the provider's cloud image nodes boot from. */
  readonly cloudImage: string;
  /** The machine type, e.g. `n1-standard-1`. */
  readonly instanceType: string;
  /** Root volume type; default `pd-standard`. */
  readonly volumeType: string;
  /** Root volume size in GiB; default 10. */
  readonly volumeSize: number;
  /** The pool's setting, copied for the launch. */
  readonly hostKeyChecking: boolean;
  /** From the cloud image, for the node record (null when the image is missing: a load error). */
  readonly username: string | null;
  readonly pythonPath: string | null;
  readonly shellType: string | null;
  readonly connectionType: string;
  readonly connectionPort: number;
}

export interface GcePoolConfig extends StateMachinePool<GceLabelConfig> {
  /** Connect to nodes on their internal address; default false. */
  readonly useInternalIp: boolean;
  /** Always true: the setting is documented but not accepted by the schema (as in Nodepool 9.0.0). */
  readonly hostKeyChecking: boolean;
}

export interface GceProviderConfig extends StateMachineProviderConfig<GcePoolConfig> {
  readonly driver: 'gce';
  readonly project: string;
  readonly region: string;
  readonly zone: string;
  readonly cloudImages: ReadonlyMap<string, GceCloudImageConfig>;
  /** Seconds to wait for SSH once the instance runs; default 60. */
  readonly bootTimeout: number;
  /** Seconds to wait for the instance to run; default 3600. */
  readonly launchTimeout: number;
  /** Attempts before a launch counts as failed; default 3. */
  readonly launchRetries: number;
  /**
   * API calls per second: `rate` (default 2), which 9.0.0's load reads although its schema
   * lacks it. Its schema's `rate-limit` is accepted and, as there, ignored.
   */
  readonly rate: number;
  /**
   * `endpoint-url` (ours): the Compute API's root (`https://compute.example.com`, or a fake's
   * `http://127.0.0.1:PORT`). Null: Google's own endpoint, as in 9.0.0.
   */
  readonly endpointUrl: string | null;
  /** As in 9.0.0: `boot-timeout` starts once the instance runs (it bounds the key scan). */
  readonly bootTimeoutAfterReady: true;
}

const label = s.mapping({
  name: s.required(s.str),
  'cloud-image': s.required(s.str),
  'instance-type': s.required(s.str),
  'volume-type': s.str,
  'volume-size': s.int,
});

const pool = s.mapping({
  ...commonPoolKeys,
  name: s.required(s.str),
  labels: s.required(s.list(label)),
  'use-internal-ip': s.bool,
  // Read by 9.0.0's load, missing from its schema. (The docs also list network and
  // subnetwork here; 9.0.0 neither accepts nor reads them.)
  'host-key-checking': s.loadOnly(s.bool),
});

// Every key is optional, even the name (a missing one fails at load).
const cloudImage = s.mapping({
  name: s.str,
  'connection-type': s.str,
  'connection-port': s.int,
  'shell-type': s.str,
  'image-id': s.str,
  'image-project': s.str,
  'image-family': s.str,
  username: s.str,
  key: s.str,
  'python-path': s.str,
});

/** A gce provider entry, without the keys core adds for every provider. */
export const gceProviderSchema = s.mapping({
  pools: s.required(s.list(pool)),
  region: s.required(s.str),
  project: s.required(s.str),
  zone: s.required(s.str),
  'cloud-images': s.list(cloudImage),
  'boot-timeout': s.int,
  'launch-retries': s.int,
  'rate-limit': s.int,
  // Ours: another Compute endpoint (docs/compatibility.md).
  'endpoint-url': s.match(/^https?:\/\/[^\s/]+/, 'an http:// or https:// URL'),
  // Read by 9.0.0's load, missing from its schema.
  'launch-timeout': s.loadOnly(s.int),
  rate: s.loadOnly(s.number),
});

type Entry = Readonly<Record<string, unknown>>;

function parseCloudImage(entry: Entry): GceCloudImageConfig {
  return {
    name: entry.name as string,
    imageId: readOptional(entry['image-id']),
    imageProject: readOptional(entry['image-project']),
    imageFamily: readOptional(entry['image-family']),
    username: readOptional(entry.username),
    key: readOptional(entry.key),
    pythonPath: (entry['python-path'] as string | undefined) ?? 'auto',
    shellType: readOptional(entry['shell-type']),
    ...readConnection(entry),
  };
}

export function parseGceConfig(entry: Entry, context: ConfigContext): GceProviderConfig {
  const providerName = entry.name as string;
  // The schema lets a nameless image through; the original then fails to load (KeyError).
  const cloudImages = readEntriesByName(entry, 'cloud-images', context, parseCloudImage);

  const pools = new Map<string, GcePoolConfig>();
  readEntries(entry.pools).forEach((poolEntry, poolIndex) => {
    const hostKeyChecking = (poolEntry['host-key-checking'] as boolean | undefined) ?? true;
    const labels = new Map<string, GceLabelConfig>();
    readEntries(poolEntry.labels).forEach((labelEntry, labelIndex) => {
      const name = labelEntry.name as string;
      const cloudImage = labelEntry['cloud-image'] as string;
      if (!cloudImages.has(cloudImage)) {
        context.report(
          ['pools', poolIndex, 'labels', labelIndex, 'cloud-image'],
          `cloud-image ${cloudImage} does not exist in provider ${providerName} but is referenced in label ${name}`,
        );
      }
      const image = cloudImages.get(cloudImage);
      labels.set(name, {
        name,
        poolName: poolEntry.name as string,
        cloudImage,
        instanceType: labelEntry['instance-type'] as string,
        volumeType: (labelEntry['volume-type'] as string | undefined) ?? 'pd-standard',
        // Differs from Nodepool: its default is the string '10'; the API takes either.
        volumeSize: readInteger(labelEntry['volume-size'], 10),
        hostKeyChecking,
        username: image?.username ?? null,
        pythonPath: image?.pythonPath ?? null,
        shellType: image?.shellType ?? null,
        connectionType: image?.connectionType ?? 'ssh',
        connectionPort: image?.connectionPort ?? 22,
      });
    });
    const name = poolEntry.name as string;
    pools.set(name, {
      name,
      ...readCommonPoolFields(poolEntry),
      labels,
      useInternalIp: (poolEntry['use-internal-ip'] as boolean | undefined) ?? false,
      hostKeyChecking,
    });
  });

  return {
    ...readCommonProviderFields(entry),
    driver: 'gce',
    pools,
    // No image builds for GCE: only cloud images.
    manageImages: false,
    diskimages: [],
    raw: entry,
    project: entry.project as string,
    region: entry.region as string,
    zone: entry.zone as string,
    cloudImages,
    bootTimeout: readInteger(entry['boot-timeout'], 60),
    launchTimeout: readInteger(entry['launch-timeout'], 3600),
    launchRetries: readInteger(entry['launch-retries'], 3),
    rate: readFloat(entry.rate, 2),
    endpointUrl: (entry['endpoint-url'] as string | undefined)?.replace(/\/+$/, '') ?? null,
    bootTimeoutAfterReady: true,
  };
}
