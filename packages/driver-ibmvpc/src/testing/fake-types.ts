/** A resource group of the fake account. */
export interface FakeResourceGroup {
  readonly id: string;
  readonly crn: string;
  readonly name: string;
  readonly default: boolean;
  readonly createdAt: number;
}

/** A virtual server instance. */
export interface FakeInstance {
  readonly id: string;
  readonly name: string;
  readonly profile: string;
  readonly imageId: string;
  readonly zone: string;
  readonly vpcId: string;
  readonly subnetId: string;
  readonly resourceGroupId: string;
  readonly networkInterfaceId: string;
  readonly privateAddress: string;
  readonly keyIds: readonly string[];
  readonly userData: string | null;
  readonly bootVolumeName: string;
  readonly createdAt: number;
  /** When it becomes `running` (or `failed`, with `failure`). */
  readonly readyAt: number;
  /** Set when a boot failure rule hit it. */
  readonly failure: string | null;
  /** When deletion was asked for; it is gone `deleteDelayMs` after. */
  deletingSince: number | null;
  /** `pending`, `running`, `failed`, `deleting`. */
  status: string;
}

export interface FakeFloatingIp {
  readonly id: string;
  readonly name: string;
  readonly address: string;
  readonly zone: string;
  readonly resourceGroupId: string;
  readonly createdAt: number;
  readonly availableAt: number;
  /** The network interface it is bound to. */
  targetNetworkInterfaceId: string | null;
  /** `pending`, `available`. */
  status: string;
}

export interface FakeOperatingSystem {
  readonly name: string;
  readonly architecture: string;
  readonly dedicatedHostOnly: boolean;
  readonly displayName: string;
  readonly family: string;
  readonly vendor: string;
  readonly version: string;
}

export interface FakeImage {
  readonly id: string;
  readonly name: string;
  /** `public` (the cloud's) or `private` (the account's). */
  readonly visibility: 'public' | 'private';
  readonly operatingSystem: string;
  /** The account's group for private images; public images sit in the cloud's own group. */
  readonly resourceGroupId: string;
  /** The `cos://` file a custom image was made from. */
  readonly fileHref: string | null;
  readonly createdAt: number;
  readonly availableAt: number;
  /** Why it failed (its file could not be read), or null. */
  readonly failure: string | null;
  status: string;
}

export interface FakeVpc {
  readonly id: string;
  readonly name: string;
  readonly resourceGroupId: string;
  readonly createdAt: number;
}

export interface FakeSubnet {
  readonly id: string;
  readonly name: string;
  readonly vpcId: string;
  readonly zone: string;
  /** The first three octets of its /24. */
  readonly prefix: string;
  readonly resourceGroupId: string;
  readonly createdAt: number;
}

export interface FakeKey {
  readonly id: string;
  readonly name: string;
  readonly publicKey: string;
  readonly resourceGroupId: string;
  readonly createdAt: number;
}

/** A service instance of the Resource Controller (the Cloud Object Storage instance). */
export interface FakeServiceInstance {
  readonly guid: string;
  readonly crn: string;
  readonly name: string;
  readonly service: string;
  readonly resourceGroupId: string;
}

export interface FakeObject {
  readonly key: string;
  readonly data: Buffer;
  readonly etag: string;
  readonly lastModified: number;
}

export interface FakeBucket {
  readonly name: string;
  readonly objects: Map<string, FakeObject>;
  readonly uploads: Map<string, { readonly key: string; readonly parts: Map<number, { data: Buffer; etag: string }> }>;
}

/** API calls per operation; `<operation>.failed` and `<operation>.throttled` count refusals. */
export type FakeCallCounts = Record<string, number>;

/** Everything the fake holds, as the control API shows it. */
export interface FakeIbmVpcState {
  readonly accountId: string;
  readonly resourceGroups: readonly FakeResourceGroup[];
  readonly vpcs: readonly FakeVpc[];
  readonly subnets: readonly FakeSubnet[];
  readonly keys: readonly FakeKey[];
  readonly instances: readonly FakeInstance[];
  readonly floatingIps: readonly FakeFloatingIp[];
  readonly images: readonly FakeImage[];
  readonly serviceInstances: readonly FakeServiceInstance[];
  readonly buckets: readonly { readonly name: string; readonly objects: readonly { readonly key: string; readonly size: number }[] }[];
}

/** An instance made behind the API's back (a leak, or someone else's). */
export interface AddInstanceRequest {
  readonly name?: string;
  /** By name; default the first pool-less group (`Default`). */
  readonly resourceGroup?: string;
  readonly profile?: string;
  readonly zone?: string;
  readonly status?: 'running' | 'pending' | 'failed';
}

export interface AddFloatingIpRequest {
  readonly name?: string;
  readonly resourceGroup?: string;
  readonly zone?: string;
  /** Bind it to this instance (by name). */
  readonly instance?: string;
}

export interface AddImageRequest {
  readonly name: string;
  readonly resourceGroup?: string;
  readonly visibility?: 'public' | 'private';
  readonly operatingSystem?: string;
  readonly status?: string;
}
