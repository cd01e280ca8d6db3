import type { FakeAwsSettings, FakeAwsSettingsPatch } from './fake-aws-settings.js';

/** Tags of a resource, `Key` → `Value`. */
export type FakeTags = Readonly<Record<string, string>>;

export type FakeInstanceState = 'pending' | 'running' | 'shutting-down' | 'terminated' | 'stopping' | 'stopped';

/** An EC2 instance as the fake holds it (camelCase; the API renders it as EC2 XML). */
export interface FakeInstance {
  readonly instanceId: string;
  readonly reservationId: string;
  readonly imageId: string;
  readonly instanceType: string;
  readonly state: FakeInstanceState;
  /** Why it is where it is, e.g. `Client.UserInitiatedShutdown`; null while nothing happened. */
  readonly stateReason: { readonly code: string; readonly message: string } | null;
  readonly availabilityZone: string;
  readonly subnetId: string;
  readonly vpcId: string;
  readonly privateIpAddress: string;
  readonly publicIpAddress: string | null;
  readonly ipv6Addresses: readonly string[];
  readonly keyName: string | null;
  readonly securityGroupIds: readonly string[];
  /** `spot` for a spot instance, null for on-demand (as `InstanceLifecycle`). */
  readonly lifecycle: 'spot' | null;
  readonly ebsOptimized: boolean;
  /** `UserData` exactly as sent (base64 by convention). */
  readonly userData: string | null;
  readonly iamInstanceProfileArn: string | null;
  readonly metadataHttpTokens: 'optional' | 'required';
  readonly metadataHttpEndpoint: 'enabled' | 'disabled';
  readonly tenancy: 'default' | 'dedicated' | 'host';
  readonly hostId: string | null;
  readonly launchTime: string;
  readonly blockDevices: readonly { readonly deviceName: string; readonly volumeId: string; readonly deleteOnTermination: boolean }[];
  readonly tags: FakeTags;
}

export type FakeVolumeState = 'creating' | 'available' | 'in-use' | 'deleting' | 'deleted' | 'error';

export interface FakeVolume {
  readonly volumeId: string;
  /** GiB. */
  readonly size: number;
  readonly volumeType: string;
  readonly iops: number | null;
  readonly throughput: number | null;
  readonly snapshotId: string | null;
  readonly availabilityZone: string;
  readonly state: FakeVolumeState;
  readonly createTime: string;
  readonly attachment: { readonly instanceId: string; readonly device: string; readonly deleteOnTermination: boolean } | null;
  readonly tags: FakeTags;
}

export interface FakeBlockDeviceMapping {
  readonly deviceName: string;
  readonly snapshotId: string | null;
  /** GiB. */
  readonly volumeSize: number;
  readonly volumeType: string;
  readonly deleteOnTermination: boolean;
  readonly iops: number | null;
  readonly throughput: number | null;
}

export interface FakeImage {
  readonly imageId: string;
  readonly name: string;
  readonly description: string | null;
  readonly ownerId: string;
  readonly public: boolean;
  readonly state: 'pending' | 'available' | 'failed';
  readonly architecture: string;
  readonly creationDate: string;
  readonly rootDeviceName: string;
  readonly blockDeviceMappings: readonly FakeBlockDeviceMapping[];
  readonly enaSupport: boolean;
  readonly bootMode: string | null;
  readonly imdsSupport: string | null;
  readonly tags: FakeTags;
}

export interface FakeSnapshot {
  readonly snapshotId: string;
  /** GiB. */
  readonly volumeSize: number;
  readonly ownerId: string;
  readonly description: string;
  readonly state: 'pending' | 'completed' | 'error';
  readonly startTime: string;
  readonly volumeId: string;
  readonly tags: FakeTags;
}

export type FakeHostState = 'pending' | 'available' | 'under-assessment' | 'permanent-failure' | 'released' | 'released-permanent-failure';

export interface FakeHost {
  readonly hostId: string;
  /** The one type it takes, or null when allocated by family. */
  readonly instanceType: string | null;
  readonly instanceFamily: string;
  readonly availabilityZone: string;
  readonly state: FakeHostState;
  readonly autoPlacement: 'on' | 'off';
  readonly hostRecovery: 'on' | 'off';
  readonly hostMaintenance: 'on' | 'off';
  readonly allocationTime: string;
  readonly releaseTime: string | null;
  /** vCPUs the host has in all. */
  readonly totalVcpus: number;
  /** Instances on it (not yet terminated). */
  readonly instanceIds: readonly string[];
  readonly tags: FakeTags;
}

export type FakeImportStatus = 'active' | 'completed' | 'deleting' | 'deleted';

export interface FakeImportSnapshotTask {
  readonly importTaskId: string;
  readonly description: string | null;
  readonly status: FakeImportStatus;
  readonly statusMessage: string | null;
  readonly format: string;
  readonly bucket: string;
  readonly key: string;
  /** Bytes of the imported object, once read. */
  readonly diskImageSize: number | null;
  readonly snapshotId: string | null;
  readonly tags: FakeTags;
}

export interface FakeImportImageTask {
  readonly importTaskId: string;
  readonly description: string | null;
  readonly status: FakeImportStatus;
  readonly statusMessage: string | null;
  readonly format: string;
  readonly bucket: string;
  readonly key: string;
  readonly architecture: string;
  readonly bootMode: string | null;
  readonly diskImageSize: number | null;
  readonly imageId: string | null;
  readonly snapshotId: string | null;
  readonly tags: FakeTags;
}

export interface FakeS3Object {
  readonly bucket: string;
  readonly key: string;
  /** Bytes. */
  readonly size: number;
  /** With its quotes, as S3 sends it. */
  readonly etag: string;
  readonly lastModified: string;
  readonly contentType: string;
  readonly tags: FakeTags;
}

export interface FakeBucket {
  readonly name: string;
  readonly creationDate: string;
  readonly objects: readonly FakeS3Object[];
}

/** Everything a fake AWS holds, in creation order: what `state()` and `GET /_fake/state` return. */
export interface FakeAwsState {
  readonly instances: readonly FakeInstance[];
  readonly volumes: readonly FakeVolume[];
  readonly images: readonly FakeImage[];
  readonly snapshots: readonly FakeSnapshot[];
  readonly hosts: readonly FakeHost[];
  readonly importSnapshotTasks: readonly FakeImportSnapshotTask[];
  readonly importImageTasks: readonly FakeImportImageTask[];
  readonly buckets: readonly FakeBucket[];
}

/**
 * API calls per action since the start or the last reset: `RunInstances`, `PutObject`,
 * `GetServiceQuota`, …; `<Action>.throttled` counts requests refused by a rate limit (not
 * counted as calls), `<Action>.failed` calls answered with an error (injected ones included).
 */
export type FakeCallCounts = Readonly<Record<string, number>>;

/**
 * A failure to inject: the next `count` calls of `action` (default 1); with `every`, every
 * `every`-th call (until cleared, or `count` times); or, with `rate`, that share of its calls
 * until cleared, are answered with error `code`. `action` is an API action name
 * (`RunInstances`, `PutObject`, `GetServiceQuota`) or `*` for every one. `count` and `every`
 * give the same outcome on every machine; `rate` depends on the order of calls too.
 */
export interface FakeAwsFailure {
  readonly action: string;
  readonly code: string;
  /** Default: the real message for well-known codes, else `Injected failure: <code>`. */
  readonly message?: string;
  /** Default: the status AWS uses with `code` (e.g. 503 for RequestLimitExceeded, 500 for InsufficientInstanceCapacity). */
  readonly status?: number;
  readonly count?: number;
  /** Fail the `every`-th matching call, the 2×`every`-th, …; 1 is every call. */
  readonly every?: number;
  /** 0 to 1; drawn from the seeded generator (setting `seed`). */
  readonly rate?: number;
}

/** An injected failure still pending, as `failures()` lists it. */
export interface FakeAwsFailureRule {
  readonly action: string;
  readonly code: string;
  readonly message: string;
  readonly status: number;
  /** Calls left to fail; null for a rule that holds until cleared (`rate`, or `every` without `count`). */
  readonly remaining: number | null;
  readonly rate: number | null;
  readonly every: number | null;
}

/** An instance made behind the API's back (a leak, or someone else's), no quota checked. */
export interface AddInstanceRequest {
  /** Default the first configured type. */
  readonly instanceType?: string;
  /** Default the fake's base image. The image need not exist. */
  readonly imageId?: string;
  readonly tags?: FakeTags;
  /** Default `running`; it stays in this state (no boot delay) until terminated. */
  readonly state?: FakeInstanceState;
  readonly availabilityZone?: string;
  readonly spot?: boolean;
  /** A root volume (tagged like the instance) is made unless false. */
  readonly rootVolume?: boolean;
  /** GiB of the root volume; default 8. */
  readonly volumeSize?: number;
}

export interface AddVolumeRequest {
  /** GiB; default 8. */
  readonly size?: number;
  readonly volumeType?: string;
  readonly tags?: FakeTags;
  readonly availabilityZone?: string;
  readonly snapshotId?: string;
}

export interface AddImageRequest {
  readonly name: string;
  readonly imageId?: string;
  /** Default the fake's own account; another one makes it "someone else's". */
  readonly ownerId?: string;
  readonly public?: boolean;
  readonly tags?: FakeTags;
  readonly architecture?: string;
  readonly description?: string;
  /** Its root snapshot; default a new one (owned and tagged like the image, described as made for it). */
  readonly snapshotId?: string;
  /** GiB; default 8. */
  readonly volumeSize?: number;
  /** ISO time; default now. `image-filters` pick the most recent. */
  readonly creationDate?: string;
}

export interface AddSnapshotRequest {
  /** GiB; default 8. */
  readonly volumeSize?: number;
  readonly tags?: FakeTags;
  readonly description?: string;
  readonly ownerId?: string;
}

export interface AddObjectRequest {
  /** Made if missing. */
  readonly bucket: string;
  readonly key: string;
  /** Text (UTF-8) or bytes; default empty. */
  readonly body?: string | Uint8Array;
  readonly tags?: FakeTags;
  readonly contentType?: string;
}

export interface AddHostRequest {
  readonly instanceType: string;
  readonly availabilityZone?: string;
  readonly tags?: FakeTags;
}

/**
 * What a fake AWS offers besides its APIs: in process on its handle (`FakeAwsHandle`), and over
 * HTTP under `/_fake` (`FakeAwsControl`). None of it counts as an API call or is throttled.
 */
export interface FakeAwsOperations {
  /** API calls per action since the start or the last reset (`GET /_fake/calls`). */
  calls(): FakeCallCounts;
  /** Zeroes the counters and returns what they were (`DELETE /_fake/calls`). */
  resetCalls(): FakeCallCounts;
  /** What `calls()` counted, in order (`GET /_fake/calls/log`): for tests of what came before what. */
  callLog(): string[];
  /** Changes settings from now on (`POST /_fake/settings`); returns them all. */
  configure(patch: FakeAwsSettingsPatch): FakeAwsSettings;
  settings(): FakeAwsSettings;
  /** Makes calls fail (`POST /_fake/failures`); returns the pending rules. */
  injectFailure(failure: FakeAwsFailure): FakeAwsFailureRule[];
  /** The injected failures still pending (`GET /_fake/failures`). */
  failures(): FakeAwsFailureRule[];
  clearFailures(): void;
  /** Everything the fake holds (`GET /_fake/state`). */
  state(): FakeAwsState;
  /** An instance made behind the API's back, e.g. a leak or someone else's (`POST /_fake/instances`). */
  addInstance(request?: AddInstanceRequest): FakeInstance;
  addVolume(request?: AddVolumeRequest): FakeVolume;
  addImage(request: AddImageRequest): FakeImage;
  addSnapshot(request?: AddSnapshotRequest): FakeSnapshot;
  addHost(request: AddHostRequest): FakeHost;
  /** An S3 object (its bucket made if missing) (`POST /_fake/objects`). */
  addObject(request: AddObjectRequest): FakeS3Object;
  /** Terminates instances behind the API's back, e.g. a spot interruption (`POST /_fake/terminate`). */
  terminateInstances(instanceIds: readonly string[], reason?: { code: string; message: string }): FakeInstance[];
  /** Back to the starting state: settings, base images and buckets, zero counters, no failures (`POST /_fake/reset`). */
  reset(): void;
}
