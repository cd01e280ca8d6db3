import type { FakeOpenStackSettings, FakeOpenStackSettingsPatch } from './fake-openstack-settings.js';
import type { FakeBootFailure, FakeFault, FakeRuleState } from './fault-rules.js';

/**
 * What a fake OpenStack holds, as its control API shows it (`GET /_fake/state`). These are the
 * fake's own records, not the API's JSON: the API renders them per service and microversion.
 */

export type FakeServerStatus = 'BUILD' | 'ACTIVE' | 'ERROR';

export interface FakeServer {
  readonly id: string;
  readonly name: string;
  readonly projectId: string;
  readonly flavorId: string;
  /** The image booted; null for a server booted from a volume. */
  readonly imageId: string | null;
  readonly keyName: string | null;
  readonly az: string;
  readonly metadata: Readonly<Record<string, string>>;
  readonly securityGroups: readonly string[];
  /** Base64, as sent. */
  readonly userData: string | null;
  readonly configDrive: boolean;
  readonly status: FakeServerStatus;
  /** Set once a delete was asked for; the server is listed until it is gone. */
  readonly deleting: boolean;
  readonly fault: { readonly code: number; readonly message: string; readonly created: string } | null;
  readonly hostId: string;
  /** Neutron ports Nova made for it, in network order. */
  readonly portIds: readonly string[];
  readonly volumes: readonly { readonly id: string; readonly deleteOnTermination: boolean }[];
  readonly createdAt: number;
  readonly updatedAt: number;
}

export interface FakeNetwork {
  readonly id: string;
  readonly name: string;
  readonly external: boolean;
  readonly shared: boolean;
  readonly subnetIds: readonly string[];
}

export interface FakeSubnet {
  readonly id: string;
  readonly name: string;
  readonly networkId: string;
  readonly cidr: string;
  readonly gatewayIp: string;
}

export type FakePortStatus = 'ACTIVE' | 'DOWN' | 'BUILD';

export interface FakePort {
  readonly id: string;
  readonly name: string;
  readonly networkId: string;
  readonly macAddress: string;
  readonly fixedIps: readonly { readonly subnetId: string; readonly ipAddress: string }[];
  /** The server it belongs to ('' for none). */
  readonly deviceId: string;
  /** `compute:<az>` for a server's port, `network:router_interface`, `network:dhcp`, or ''. */
  readonly deviceOwner: string;
  readonly status: FakePortStatus;
  readonly createdAt: number;
}

export interface FakeFloatingIp {
  readonly id: string;
  readonly address: string;
  readonly networkId: string;
  readonly portId: string | null;
  readonly fixedIpAddress: string | null;
  readonly routerId: string | null;
  readonly status: 'ACTIVE' | 'DOWN';
  readonly description: string;
  readonly createdAt: number;
}

export interface FakeRouter {
  readonly id: string;
  readonly name: string;
  readonly externalNetworkId: string | null;
  readonly subnetIds: readonly string[];
}

export interface FakeSecurityGroup {
  readonly id: string;
  readonly name: string;
}

export type FakeImageStatus = 'queued' | 'saving' | 'active' | 'killed' | 'deactivated';

export interface FakeImage {
  readonly id: string;
  readonly name: string;
  readonly status: FakeImageStatus;
  readonly visibility: 'public' | 'private' | 'shared' | 'community';
  readonly owner: string;
  readonly diskFormat: string | null;
  readonly containerFormat: string | null;
  readonly size: number | null;
  /** MD5 of the data, Glance's `checksum`. */
  readonly checksum: string | null;
  /** SHA-512 of the data, Glance's `os_hash_value`. */
  readonly hashValue: string | null;
  readonly minRam: number;
  readonly minDisk: number;
  readonly protected: boolean;
  readonly tags: readonly string[];
  /** Every other property, as Glance keeps them at the image's top level. */
  readonly properties: Readonly<Record<string, unknown>>;
  readonly createdAt: number;
  readonly updatedAt: number;
}

export type FakeVolumeStatus = 'creating' | 'available' | 'in-use' | 'deleting' | 'error';

export interface FakeVolume {
  readonly id: string;
  readonly name: string;
  /** GiB. */
  readonly size: number;
  readonly status: FakeVolumeStatus;
  readonly az: string;
  /** The server it is attached to. */
  readonly serverId: string | null;
  readonly imageId: string | null;
  readonly metadata: Readonly<Record<string, string>>;
  readonly createdAt: number;
}

export interface FakeKeypair {
  readonly name: string;
  readonly publicKey: string;
  readonly fingerprint: string;
}

/** Everything a fake OpenStack holds. */
export interface FakeOpenStackState {
  readonly projectId: string;
  readonly servers: readonly FakeServer[];
  readonly networks: readonly FakeNetwork[];
  readonly subnets: readonly FakeSubnet[];
  readonly ports: readonly FakePort[];
  readonly floatingIps: readonly FakeFloatingIp[];
  readonly routers: readonly FakeRouter[];
  readonly securityGroups: readonly FakeSecurityGroup[];
  readonly images: readonly FakeImage[];
  readonly volumes: readonly FakeVolume[];
  readonly keypairs: readonly FakeKeypair[];
  /** Tokens issued so far. */
  readonly tokensIssued: number;
}

/** Calls per operation (`compute.POST.servers`), plus `<operation>.failed` and `<operation>.throttled`. */
export type FakeCallCounts = Record<string, number>;

/** A server made behind the API's back: a leak, or someone else's. */
export interface AddServerRequest {
  readonly name?: string;
  readonly flavorId?: string;
  readonly imageId?: string;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly status?: FakeServerStatus;
  /** Networks by name; default the tenant network. */
  readonly networks?: readonly string[];
  readonly az?: string;
}

export interface AddFloatingIpRequest {
  /** Attached to this port (default: unattached). */
  readonly portId?: string;
  readonly address?: string;
}

export interface AddPortRequest {
  /** Network by name; default the tenant network. */
  readonly network?: string;
  readonly status?: FakePortStatus;
  readonly deviceOwner?: string;
  readonly deviceId?: string;
}

export interface AddVolumeRequest {
  readonly name?: string;
  readonly size?: number;
  readonly metadata?: Readonly<Record<string, string>>;
  readonly status?: FakeVolumeStatus;
}

export interface AddImageRequest {
  readonly name: string;
  readonly id?: string;
  readonly status?: FakeImageStatus;
  readonly visibility?: FakeImage['visibility'];
  /** Extra top-level properties (Nodepool's metadata, say). */
  readonly properties?: Readonly<Record<string, string>>;
}

export interface AddKeypairRequest {
  readonly name: string;
  readonly publicKey?: string;
}

/**
 * What a fake OpenStack offers besides its APIs: in process on its handle
 * (`FakeOpenStackHandle`), and over HTTP under `/_fake` (`FakeOpenStackControl`). None of it
 * counts as an API call.
 */
export interface FakeOpenStackOperations {
  /** API calls per operation since the start or the last reset (`GET /_fake/calls`). */
  calls(): FakeCallCounts;
  /** Zeroes the counters and returns what they were (`DELETE /_fake/calls`). */
  resetCalls(): FakeCallCounts;
  /** What `calls()` counted, in order (`GET /_fake/calls/log`). */
  callLog(): string[];
  /** API calls per endpoint, `<region>/<interface>` (`GET /_fake/calls/endpoints`). */
  endpointCalls(): Record<string, number>;
  configure(patch: FakeOpenStackSettingsPatch): FakeOpenStackSettings;
  settings(): FakeOpenStackSettings;
  /** Answers calls with an error, by count (`POST /_fake/faults`); returns the pending rules. */
  injectFault(fault: FakeFault): FakeRuleState<FakeFault>[];
  /** Makes servers created from now on go to ERROR, by count (`POST /_fake/boot-failures`). */
  failBoots(failure?: FakeBootFailure): FakeRuleState<FakeBootFailure>[];
  faultRules(): { faults: FakeRuleState<FakeFault>[]; bootFailures: FakeRuleState<FakeBootFailure>[] };
  clearFaults(): void;
  /** Everything the fake holds (`GET /_fake/state`). */
  state(): FakeOpenStackState;
  /** A server made behind the API's back: a leak, or someone else's (`POST /_fake/servers`). */
  addServer(request?: AddServerRequest): FakeServer;
  addFloatingIp(request?: AddFloatingIpRequest): FakeFloatingIp;
  addPort(request?: AddPortRequest): FakePort;
  addVolume(request?: AddVolumeRequest): FakeVolume;
  addImage(request: AddImageRequest): FakeImage;
  addKeypair(request: AddKeypairRequest): FakeKeypair;
  /** Revokes every token issued so far: clients must authenticate again (`DELETE /_fake/tokens`). */
  revokeTokens(): number;
  /** Back to the starting state: settings, seed resources, zero counters, no faults or tokens (`POST /_fake/reset`). */
  reset(): void;
}
