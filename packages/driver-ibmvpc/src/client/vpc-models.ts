/**
 * The parts of the IBM Cloud VPC API's models (API version `VPC_API_VERSION`) the driver reads
 * or sends, with the API's own snake_case names.
 */

/** The `version` query parameter of every VPC API call. */
export const VPC_API_VERSION = '2024-04-30';

export interface Reference {
  readonly id: string;
  readonly href?: string;
  readonly crn?: string;
  readonly name?: string;
}

/** A resource group as VPC resources name it: the name is there, except on some image listings. */
export interface ResourceGroupReference {
  readonly id: string;
  readonly href?: string;
  readonly name?: string;
}

export interface ZoneReference {
  readonly name: string;
  readonly href?: string;
}

/** A collection page: the items under the collection's own key, and `next` while there are more. */
export interface PageLinks {
  readonly first?: { readonly href: string };
  readonly next?: { readonly href: string };
  readonly limit?: number;
  readonly total_count?: number;
}

export interface Vpc {
  readonly id: string;
  readonly crn: string;
  readonly href: string;
  readonly name: string;
  readonly status: string;
  readonly resource_group: ResourceGroupReference;
}

export interface Subnet {
  readonly id: string;
  readonly crn: string;
  readonly href: string;
  readonly name: string;
  readonly zone: ZoneReference;
  readonly vpc: Reference;
  readonly ipv4_cidr_block: string;
  readonly status: string;
}

export interface Key {
  readonly id: string;
  readonly crn: string;
  readonly href: string;
  readonly name: string;
  readonly type: string;
  readonly fingerprint: string;
}

/** A profile figure: fixed, or a range or enum with a default. */
export interface ProfileFigure {
  readonly type: string;
  readonly value?: number;
  readonly default?: number;
}

export interface InstanceProfile {
  readonly name: string;
  readonly href: string;
  readonly family?: string;
  readonly vcpu_count: ProfileFigure;
  /** GiB. */
  readonly memory: ProfileFigure;
}

export interface OperatingSystem {
  readonly name: string;
  readonly href?: string;
  readonly architecture?: string;
  readonly dedicated_host_only?: boolean;
  readonly display_name?: string;
  readonly family?: string;
  readonly vendor?: string;
  readonly version?: string;
}

export interface Image {
  readonly id: string;
  readonly crn: string;
  readonly href: string;
  readonly name: string;
  readonly status: string;
  readonly created_at: string;
  /** `private` (the account's) or `public` (the cloud's). */
  readonly visibility?: string;
  /** `user` or `provider`: returned by API versions of Nodepool 9.0.0's time, not by today's. */
  readonly owner_type?: string;
  readonly operating_system?: OperatingSystem;
  readonly resource_group: ResourceGroupReference;
  readonly status_reasons?: readonly { readonly code: string; readonly message: string }[];
}

/** An instance's network interface as the instance shows it. */
export interface NetworkInterfaceReference {
  readonly id: string;
  readonly href: string;
  readonly name: string;
  /** API versions from 2022-03-29. */
  readonly primary_ip?: { readonly address: string; readonly id?: string };
  /** API versions up to 2022-03-28 (what Nodepool 9.0.0's code reads). */
  readonly primary_ipv4_address?: string;
  readonly subnet?: Reference;
}

export interface VpcInstance {
  readonly id: string;
  readonly crn: string;
  readonly href: string;
  readonly name: string;
  /** `pending`, `starting`, `running`, `stopping`, `stopped`, `restarting`, `deleting`, `failed`. */
  readonly status: string;
  readonly status_reasons?: readonly { readonly code: string; readonly message: string }[];
  readonly created_at: string;
  readonly profile: { readonly name: string; readonly href?: string };
  readonly resource_group: ResourceGroupReference;
  readonly primary_network_interface: NetworkInterfaceReference;
  readonly network_interfaces?: readonly NetworkInterfaceReference[];
  readonly zone: ZoneReference;
  readonly vpc: Reference;
  readonly image?: Reference;
  readonly vcpu?: { readonly count: number };
  /** GiB. */
  readonly memory?: number;
}

/** What the floating IP is bound to: a network interface (with its address). */
export interface FloatingIpTarget {
  readonly id: string;
  readonly href?: string;
  readonly name?: string;
  readonly resource_type?: string;
  readonly primary_ip?: { readonly address: string };
  readonly primary_ipv4_address?: string;
}

export interface FloatingIp {
  readonly id: string;
  readonly crn: string;
  readonly href: string;
  readonly name: string;
  readonly address: string;
  /** `pending`, `available`, `deleting`, `failed`. */
  readonly status: string;
  readonly target?: FloatingIpTarget;
  readonly zone: ZoneReference;
  readonly resource_group: ResourceGroupReference;
}

/** `POST /instances`: an instance from an image, as Nodepool 9.0.0 asks for one. */
export interface InstancePrototype {
  readonly name: string;
  readonly profile: { readonly name: string };
  readonly resource_group: { readonly id: string };
  readonly vpc: { readonly id: string };
  readonly image: { readonly id: string } | { readonly href: string };
  readonly zone: { readonly name: string };
  readonly keys: readonly { readonly id: string }[];
  readonly primary_network_interface: { readonly name: string; readonly subnet: { readonly id: string } };
  readonly boot_volume_attachment: {
    readonly volume: { readonly name: string; readonly profile: { readonly name: string } };
    readonly delete_volume_on_instance_delete: boolean;
  };
  readonly user_data?: string;
}

export interface FloatingIpPrototype {
  readonly name: string;
  readonly resource_group: { readonly id: string };
  readonly zone: { readonly name: string };
}

export interface ImagePrototype {
  readonly name: string;
  readonly resource_group: { readonly id: string };
  /** `cos://<region>/<bucket>/<object>`. */
  readonly file: { readonly href: string };
  readonly operating_system: { readonly name: string };
}

/** A resource group (Resource Manager API v2). */
export interface ResourceGroup {
  readonly id: string;
  readonly crn: string;
  readonly name?: string;
  readonly account_id?: string;
  readonly state?: string;
}

/** A service instance (Resource Controller API v2). */
export interface ResourceInstance {
  readonly id: string;
  readonly guid: string;
  readonly crn: string;
  readonly name: string;
  readonly state: string;
  readonly type: string;
}

/** The address of a network interface, whichever API version shaped it. */
export function interfaceAddress(nic: { readonly primary_ip?: { readonly address: string }; readonly primary_ipv4_address?: string } | undefined): string | null {
  return nic?.primary_ip?.address ?? nic?.primary_ipv4_address ?? null;
}
