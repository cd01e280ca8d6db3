import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { ArmError, badRequest, notFound } from './arm-error.js';
import { DEFAULT_MARKETPLACE_IMAGES, DEFAULT_QUOTAS, DEFAULT_VM_SIZES, type FakeAzureQuotas, type FakeMarketplaceImage, type FakeVmSize } from './catalog.js';
import { CountRules } from '@nodepool/core/testing';
import { FakeAzureUsageError, type FakeAzureBootFailure } from './fault-rules.js';

/** How the fake behaves; every field can be changed while it runs (`configure`). */
export interface FakeAzureSettings {
  /** Locations the fake has. */
  locations: string[];
  /** How long a virtual machine stays `Creating`. */
  bootDelayMs: number;
  /** How long a deleted virtual machine stays `Deleting`. */
  deleteDelayMs: number;
  /** How long a public IP address stays `Updating`. */
  publicIpDelayMs: number;
  /** `Retry-After` seconds on answers that start a long-running operation (0: none sent). */
  retryAfterS: number;
  /** Added to every API call. */
  latencyMs: number;
  /** ARM calls per second before 429s (0: no limit); for benchmarks. */
  ratePerSecond: number;
  /** Items per page of a listing (ARM's `nextLink`). */
  pageSize: number;
  quotas: FakeAzureQuotas;
  tokenTtlS: number;
  vmSizes: FakeVmSize[];
}

export type FakeAzureSettingsPatch = Partial<Omit<FakeAzureSettings, 'quotas'>> & { quotas?: Partial<FakeAzureQuotas> };

/** The fake's service principal, as `az ad sp create-for-rbac --sdk-auth` prints one. */
export interface FakeAzureIdentity {
  readonly tenantId: string;
  readonly subscriptionId: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

type Json = Record<string, any>;

/** An answer of the model; the server adds the async-operation URLs' host. */
export interface ArmReply {
  readonly status: number;
  readonly body?: unknown;
  /** The long-running operation this answer started, for its headers. */
  readonly operation?: AsyncOperation;
}

/** A long-running operation, as `Azure-AsyncOperation` and `Location` URLs show it. */
export interface AsyncOperation {
  readonly id: string;
  readonly provider: 'Microsoft.Compute' | 'Microsoft.Network';
  readonly location: string;
  status: 'InProgress' | 'Succeeded' | 'Failed' | 'Canceled';
  readonly startTime: string;
  endTime?: string;
  error?: { code: string; message: string };
  /** What the `Location` URL answers once done (grantAccess's `accessSAS`); none: 200 empty. */
  result?: Json;
}

/** A page blob a disk upload is written to through its SAS URL. */
export interface FakeBlob {
  readonly path: string;
  readonly signature: string;
  readonly size: number;
  /** Pages written, by offset. */
  readonly pages: Map<number, Buffer>;
  open: boolean;
}

const COMPUTE = 'Microsoft.Compute';
const NETWORK = 'Microsoft.Network';

/**
 * The state of a fake Azure subscription: resource groups, virtual networks and subnets,
 * public IP addresses, network interfaces, virtual machines with their OS disks, managed disks
 * (with uploads through page blobs), images, compute usages and SKUs; provisioning states and
 * long-running operations as ARM has them. The HTTP side is `fake-azure-server.ts`.
 */
export class FakeAzure {
  settings: FakeAzureSettings;
  readonly identity: FakeAzureIdentity;
  private readonly resources = new Map<string, Json>();
  private readonly groups = new Map<string, Json>();
  readonly operations = new Map<string, AsyncOperation>();
  readonly blobs = new Map<string, FakeBlob>();
  readonly bootFailures = new CountRules<FakeAzureBootFailure>(FakeAzureUsageError);
  private timers = new Set<NodeJS.Timeout>();
  private addressCounter = 0;
  private readonly marketplace: FakeMarketplaceImage[] = [...DEFAULT_MARKETPLACE_IMAGES];

  constructor(patch: FakeAzureSettingsPatch = {}, identity?: Partial<FakeAzureIdentity>) {
    this.settings = checkSettings({
      locations: ['eastus', 'westeurope', 'centralus'],
      bootDelayMs: 0,
      deleteDelayMs: 0,
      publicIpDelayMs: 0,
      retryAfterS: 0,
      latencyMs: 0,
      ratePerSecond: 0,
      pageSize: 100,
      tokenTtlS: 3600,
      vmSizes: [...DEFAULT_VM_SIZES],
      ...patch,
      quotas: { ...DEFAULT_QUOTAS, ...patch.quotas },
    });
    this.identity = {
      tenantId: identity?.tenantId ?? '72f988bf-86f1-41af-91ab-2d7cd011db47',
      subscriptionId: identity?.subscriptionId ?? '00000000-0000-4000-8000-000000000001',
      clientId: identity?.clientId ?? '11111111-2222-4333-8444-555555555555',
      clientSecret: identity?.clientSecret ?? 'fake-azure-client-secret',
    };
  }

  configure(patch: FakeAzureSettingsPatch): FakeAzureSettings {
    this.settings = checkSettings({ ...this.settings, ...patch, quotas: { ...this.settings.quotas, ...patch.quotas } });
    return this.settings;
  }

  stop(): void {
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private get sub(): string {
    return `/subscriptions/${this.identity.subscriptionId}`;
  }

  // ---- resource groups ---------------------------------------------------------------------------

  getGroup(name: string): Json {
    const group = this.groups.get(name.toLowerCase());
    if (!group) throw new ArmError(404, 'ResourceGroupNotFound', `Resource group '${name}' could not be found.`);
    return group;
  }

  putGroup(name: string, body: Json): ArmReply {
    const existing = this.groups.get(name.toLowerCase());
    if (existing) {
      if (body.tags) existing.tags = body.tags;
      return { status: 200, body: existing };
    }
    const location = this.checkLocation(body.location);
    const group = { id: `${this.sub}/resourceGroups/${name}`, name, type: 'Microsoft.Resources/resourceGroups', location, ...(body.tags ? { tags: body.tags } : {}), properties: { provisioningState: 'Succeeded' } };
    this.groups.set(name.toLowerCase(), group);
    return { status: 201, body: group };
  }

  /** A virtual network with subnets made behind the API's back (the operator's network). */
  addNetwork(request: { resourceGroup: string; name: string; location?: string; subnets?: string[]; ipv6?: boolean }): Json {
    if (!this.groups.has(request.resourceGroup.toLowerCase())) this.putGroup(request.resourceGroup, { location: request.location ?? this.settings.locations[0] });
    const group = this.getGroup(request.resourceGroup).name as string;
    const id = `${this.sub}/resourceGroups/${group}/providers/${NETWORK}/virtualNetworks/${request.name}`;
    const subnets = (request.subnets ?? ['default']).map((subnet, index) => ({
      id: `${id}/subnets/${subnet}`,
      name: subnet,
      type: `${NETWORK}/virtualNetworks/subnets`,
      properties: {
        provisioningState: 'Succeeded',
        addressPrefix: `10.0.${index}.0/24`,
        ...(request.ipv6 ? { addressPrefixes: [`10.0.${index}.0/24`, `fd00:db8:deca:${index}::/64`] } : {}),
        privateEndpointNetworkPolicies: 'Disabled',
      },
    }));
    const network = {
      id,
      name: request.name,
      type: `${NETWORK}/virtualNetworks`,
      location: request.location ?? this.settings.locations[0],
      properties: { provisioningState: 'Succeeded', addressSpace: { addressPrefixes: ['10.0.0.0/16', ...(request.ipv6 ? ['fd00:db8:deca::/48'] : [])] }, subnets },
    };
    this.resources.set(id.toLowerCase(), network);
    for (const subnet of subnets) this.resources.set(subnet.id.toLowerCase(), subnet);
    return network;
  }

  getSubnet(group: string, network: string, subnet: string): Json {
    this.getGroup(group);
    const found = this.resources.get(`${this.sub}/resourceGroups/${group}/providers/${NETWORK}/virtualNetworks/${network}/subnets/${subnet}`.toLowerCase());
    if (!found) {
      if (!this.resources.has(`${this.sub}/resourceGroups/${group}/providers/${NETWORK}/virtualNetworks/${network}`.toLowerCase())) throw notFound(`${NETWORK}/virtualNetworks`, network, group);
      throw notFound(`${NETWORK}/virtualNetworks/${network}/subnets`, subnet, group);
    }
    return found;
  }

  // ---- generic resources -------------------------------------------------------------------------

  resourceId(group: string, provider: string, type: string, name: string): string {
    return `${this.sub}/resourceGroups/${this.getGroup(group).name}/providers/${provider}/${type}/${name}`;
  }

  list(group: string, provider: string, type: string): Json[] {
    const prefix = `${this.sub}/resourceGroups/${this.getGroup(group).name}/providers/${provider}/${type}/`.toLowerCase();
    return [...this.resources.entries()].filter(([id]) => id.startsWith(prefix) && !id.slice(prefix.length).includes('/')).map(([, resource]) => view(resource));
  }

  get(group: string, provider: string, type: string, name: string): Json {
    const resource = this.resources.get(this.resourceId(group, provider, type, name).toLowerCase());
    if (!resource) throw notFound(`${provider}/${type}`, name, group);
    return view(resource);
  }

  /** Every resource of every kind, for tests. */
  state(): Json[] {
    return [...this.resources.values()].map(view);
  }

  // ---- public IP addresses -------------------------------------------------------------------------

  putPublicIp(group: string, name: string, body: Json): ArmReply {
    const id = this.resourceId(group, NETWORK, 'publicIPAddresses', name);
    const existing = this.resources.get(id.toLowerCase());
    if (existing) return this.updateTags(existing, body);
    const location = this.checkLocation(body.location);
    const props = (body.properties ?? {}) as Json;
    const version = props.publicIPAddressVersion ?? 'IPv4';
    const method = props.publicIPAllocationMethod ?? 'Dynamic';
    const sku = body.sku?.name ?? 'Basic';
    if (!['IPv4', 'IPv6'].includes(version)) throw badRequest('InvalidRequestFormat', `Cannot parse the request. Invalid value '${String(version)}' for publicIPAddressVersion.`);
    if (!['Static', 'Dynamic'].includes(method)) throw badRequest('InvalidRequestFormat', `Cannot parse the request. Invalid value '${String(method)}' for publicIPAllocationMethod.`);
    if (sku === 'Standard' && method !== 'Static') {
      throw badRequest('StandardSkuPublicIPAddressesCannotHaveDynamicAllocation', `Standard sku publicIp ${id} must have AllocationMethod set to Static.`);
    }
    const resource: Json = {
      id,
      name,
      type: `${NETWORK}/publicIPAddresses`,
      location,
      etag: `W/"${randomUUID()}"`,
      ...(body.tags ? { tags: { ...body.tags } } : {}),
      sku: { name: sku, tier: 'Regional' },
      properties: {
        provisioningState: this.settings.publicIpDelayMs > 0 ? 'Updating' : 'Succeeded',
        resourceGuid: randomUUID(),
        publicIPAddressVersion: version,
        publicIPAllocationMethod: method,
        idleTimeoutInMinutes: 4,
        ...(method === 'Static' ? { ipAddress: this.publicAddress(version) } : {}),
        ipTags: [],
      },
    };
    this.resources.set(id.toLowerCase(), resource);
    const operation = this.operation(NETWORK, location);
    this.settle(operation, this.settings.publicIpDelayMs, () => {
      resource.properties.provisioningState = 'Succeeded';
      return undefined;
    });
    return { status: 201, body: view(resource), operation };
  }

  deletePublicIp(group: string, name: string): ArmReply {
    const resource = this.find(group, NETWORK, 'publicIPAddresses', name);
    if (!resource) return { status: 204 };
    if (resource.properties.ipConfiguration) {
      throw badRequest('PublicIPAddressCannotBeDeleted', `Public IP address ${resource.id} can not be deleted since it is still allocated to resource ${resource.properties.ipConfiguration.id}. In order to delete the public IP, disassociate/detach the Public IP address from the resource.`);
    }
    return this.remove(resource, NETWORK, 0);
  }

  // ---- network interfaces ----------------------------------------------------------------------------

  putNic(group: string, name: string, body: Json): ArmReply {
    const id = this.resourceId(group, NETWORK, 'networkInterfaces', name);
    const existing = this.resources.get(id.toLowerCase());
    if (existing) return this.updateTags(existing, body);
    const location = this.checkLocation(body.location);
    const configs = (body.properties?.ipConfigurations ?? []) as Json[];
    if (!Array.isArray(configs) || configs.length === 0) throw badRequest('NetworkInterfaceMustHaveAtLeastOneIpConfiguration', `Network interface ${id} must have at least one IP configuration.`);
    const pips: Json[] = [];
    const ipConfigurations = configs.map((config, index) => {
      const props = (config.properties ?? {}) as Json;
      const version = props.privateIPAddressVersion ?? 'IPv4';
      const subnet = this.resources.get(String(props.subnet?.id ?? '').toLowerCase());
      if (!subnet || subnet.type !== `${NETWORK}/virtualNetworks/subnets`) throw badRequest('InvalidResourceReference', `Resource ${String(props.subnet?.id)} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
      let pip: Json | undefined;
      if (props.publicIPAddress?.id) {
        pip = this.resources.get(String(props.publicIPAddress.id).toLowerCase());
        if (!pip || pip.type !== `${NETWORK}/publicIPAddresses`) throw badRequest('InvalidResourceReference', `Resource ${String(props.publicIPAddress.id)} referenced by resource ${id} was not found.`);
        if (pip.location !== location) throw badRequest('InvalidResourceReference', `Resource ${pip.id} referenced by resource ${id} was not found. Please make sure that the referenced resource exists, and that both resources are in the same region.`);
        if (pip.properties.ipConfiguration) throw badRequest('PublicIPAddressInUse', `Resource ${pip.id} is already in use by ${pip.properties.ipConfiguration.id}.`);
        if (pip.properties.publicIPAddressVersion !== version) throw badRequest('IpVersionMismatch', `The IP version of public IP ${pip.id} does not match the IP configuration ${config.name}.`);
        pips.push(pip);
      }
      const configName = config.name ?? `ipconfig${index + 1}`;
      return {
        name: configName,
        id: `${id}/ipConfigurations/${configName}`,
        type: `${NETWORK}/networkInterfaces/ipConfigurations`,
        properties: {
          provisioningState: 'Succeeded',
          privateIPAddress: this.privateAddress(version),
          privateIPAllocationMethod: 'Dynamic',
          privateIPAddressVersion: version,
          subnet: { id: subnet.id },
          ...(pip ? { publicIPAddress: { id: pip.id } } : {}),
          primary: index === 0,
        },
      };
    });
    if (!ipConfigurations.some((config) => config.properties.privateIPAddressVersion === 'IPv4')) {
      throw badRequest('NetworkInterfaceMustHaveIPv4PrimaryIpConfiguration', `Network interface ${id} must have a primary IPv4 IP configuration.`);
    }
    const resource: Json = {
      id,
      name,
      type: `${NETWORK}/networkInterfaces`,
      location,
      etag: `W/"${randomUUID()}"`,
      ...(body.tags ? { tags: { ...body.tags } } : {}),
      properties: {
        provisioningState: 'Succeeded',
        resourceGuid: randomUUID(),
        ipConfigurations,
        dnsSettings: { dnsServers: [], appliedDnsServers: [] },
        enableAcceleratedNetworking: false,
        enableIPForwarding: false,
        primary: true,
        nicType: 'Standard',
      },
    };
    for (const [index, pip] of pips.entries()) pip.properties.ipConfiguration = { id: ipConfigurations.find((config) => config.properties.publicIPAddress?.id === pip.id)?.id ?? ipConfigurations[index]!.id };
    this.resources.set(id.toLowerCase(), resource);
    const operation = this.operation(NETWORK, location);
    this.finish(operation);
    return { status: 201, body: view(resource), operation };
  }

  deleteNic(group: string, name: string): ArmReply {
    const resource = this.find(group, NETWORK, 'networkInterfaces', name);
    if (!resource) return { status: 204 };
    if (resource.properties.virtualMachine) {
      throw badRequest('NicInUse', `Network Interface ${resource.id} is used by existing resource ${resource.properties.virtualMachine.id}. In order to delete the network interface, it must be dissociated from the resource.`);
    }
    for (const config of resource.properties.ipConfigurations as Json[]) {
      const pip = this.resources.get(String(config.properties.publicIPAddress?.id ?? '').toLowerCase());
      if (pip) delete pip.properties.ipConfiguration;
    }
    return this.remove(resource, NETWORK, 0);
  }

  // ---- virtual machines --------------------------------------------------------------------------------

  /**
   * Creates a virtual machine (`Creating`, then `Succeeded` after `bootDelayMs`, or `Failed`
   * by a boot failure rule) with its OS disk, attaching its network interface. Over the cores or
   * virtual machine quota, a 409 `OperationNotAllowed`, as ARM answers.
   */
  putVm(group: string, name: string, body: Json): ArmReply {
    const id = this.resourceId(group, COMPUTE, 'virtualMachines', name);
    const existing = this.resources.get(id.toLowerCase());
    if (existing) return this.updateTags(existing, body);
    const location = this.checkLocation(body.location);
    const props = (body.properties ?? {}) as Json;
    const sizeName = props.hardwareProfile?.vmSize;
    const size = this.settings.vmSizes.find((each) => each.name.toLowerCase() === String(sizeName).toLowerCase());
    if (!size) throw badRequest('InvalidParameter', `The value ${String(sizeName)} provided for the VM size is not valid. The valid sizes in the current region are: ${this.settings.vmSizes.map((each) => each.name).join(',')}.`);
    const os = (props.osProfile ?? {}) as Json;
    if (typeof os.computerName !== 'string' || os.computerName === '') throw badRequest('InvalidParameter', "Required parameter 'osProfile.computerName' is missing (null).");
    if (typeof os.adminUsername !== 'string' || os.adminUsername === '') throw badRequest('InvalidParameter', "Required parameter 'osProfile.adminUsername' is missing (null).");
    const keys = (os.linuxConfiguration?.ssh?.publicKeys ?? []) as Json[];
    if (!os.adminPassword && keys.length === 0) throw badRequest('InvalidParameter', "Required parameter 'adminPassword' is missing (null).");
    for (const key of keys) {
      if (key.path !== `/home/${os.adminUsername}/.ssh/authorized_keys`) throw badRequest('InvalidParameter', `Destination path for SSH public keys is currently limited to its default value /home/${os.adminUsername}/.ssh/authorized_keys  due to a known issue in Linux provisioning agent.`);
    }
    if (os.customData !== undefined && !isBase64(os.customData)) throw badRequest('InvalidParameter', 'Custom data in OSProfile must be in Base64 encoding and with a maximum length of 87380 characters.');
    if (props.userData !== undefined && !isBase64(props.userData)) throw badRequest('InvalidParameter', 'UserData must be in Base64 encoding.');
    const imageReference = this.resolveImage(group, props.storageProfile?.imageReference);
    const nicRefs = (props.networkProfile?.networkInterfaces ?? []) as Json[];
    if (nicRefs.length === 0) throw badRequest('InvalidParameter', "Required parameter 'networkProfile' is missing (null).");
    const nics = nicRefs.map((ref) => {
      const nic = this.resources.get(String(ref.id ?? '').toLowerCase());
      if (!nic || nic.type !== `${NETWORK}/networkInterfaces`) throw new ArmError(404, 'NotFound', `Resource ${String(ref.id)} not found.`);
      if (nic.properties.virtualMachine) throw badRequest('NicInUse', `Network Interface ${nic.id} is used by existing resource ${nic.properties.virtualMachine.id}. In order to use the network interface, it must be dissociated from the resource.`);
      if (nic.location !== location) throw badRequest('NicLocationMismatch', `The network interface ${nic.id} is in location ${nic.location}, while the virtual machine is in ${location}.`);
      return nic;
    });
    const exceeded = this.exceeded(location, size);
    if (exceeded) throw new ArmError(409, 'OperationNotAllowed', exceeded);

    const osDiskSpec = (props.storageProfile?.osDisk ?? {}) as Json;
    const diskName = osDiskSpec.name ?? `${name}_OsDisk_1_${randomBytes(16).toString('hex')}`;
    const diskId = this.resourceId(group, COMPUTE, 'disks', diskName);
    const deleteOption = osDiskSpec.deleteOption ?? 'Detach';
    const vmId = randomUUID();
    const resource: Json = {
      id,
      name,
      type: `${COMPUTE}/virtualMachines`,
      location,
      ...(body.tags ? { tags: { ...body.tags } } : {}),
      ...(Array.isArray(body.zones) ? { zones: body.zones } : {}),
      properties: {
        vmId,
        hardwareProfile: { vmSize: size.name },
        storageProfile: {
          imageReference,
          osDisk: {
            osType: 'Linux',
            name: diskName,
            createOption: 'FromImage',
            caching: 'ReadWrite',
            managedDisk: { storageAccountType: osDiskSpec.managedDisk?.storageAccountType ?? 'Premium_LRS', id: diskId },
            deleteOption,
            diskSizeGB: 30,
          },
          dataDisks: [],
        },
        osProfile: {
          computerName: os.computerName,
          adminUsername: os.adminUsername,
          linuxConfiguration: { disablePasswordAuthentication: os.linuxConfiguration?.disablePasswordAuthentication ?? false, ...(keys.length > 0 ? { ssh: { publicKeys: keys } } : {}), provisionVMAgent: true, enableVMAgentPlatformUpdates: false },
          secrets: [],
          allowExtensionOperations: true,
          requireGuestProvisionSignal: true,
        },
        networkProfile: { networkInterfaces: nicRefs.map((ref) => ({ id: ref.id, ...(ref.properties ? { properties: ref.properties } : {}) })) },
        provisioningState: 'Creating',
        timeCreated: new Date().toISOString(),
      },
    };
    // Not shown by GET, as in ARM: what the VM was given.
    Object.defineProperty(resource, 'secret', { value: { adminPassword: os.adminPassword, customData: os.customData, userData: props.userData }, enumerable: false });
    const disk: Json = {
      id: diskId,
      name: diskName,
      type: `${COMPUTE}/disks`,
      location,
      managedBy: id,
      sku: { name: 'Premium_LRS', tier: 'Premium' },
      properties: { osType: 'Linux', creationData: { createOption: 'FromImage', imageReference: { id: imageReference.id ?? 'marketplace' } }, diskSizeGB: 30, diskState: 'Attached', provisioningState: 'Succeeded', timeCreated: new Date().toISOString() },
    };
    this.resources.set(id.toLowerCase(), resource);
    this.resources.set(diskId.toLowerCase(), disk);
    for (const nic of nics) nic.properties.virtualMachine = { id };
    const operation = this.operation(COMPUTE, location);
    const failure = this.bootFailures.take(() => true);
    this.settle(operation, this.settings.bootDelayMs, () => {
      if (failure) {
        resource.properties.provisioningState = 'Failed';
        return {
          code: failure.code ?? 'AllocationFailed',
          message: failure.message ?? 'Allocation failed. We do not have sufficient capacity for the requested VM size in this region. Read more about improving likelihood of allocation success at http://aka.ms/allocation-guidance',
        };
      }
      resource.properties.provisioningState = 'Succeeded';
      // A dynamic public address is given when the VM it belongs to runs.
      for (const nic of nics) {
        for (const config of nic.properties.ipConfigurations as Json[]) {
          const pip = this.resources.get(String(config.properties.publicIPAddress?.id ?? '').toLowerCase());
          if (pip && !pip.properties.ipAddress) pip.properties.ipAddress = this.publicAddress(pip.properties.publicIPAddressVersion);
        }
      }
      return undefined;
    });
    return { status: 201, body: view(resource), operation };
  }

  /** `Deleting` for `deleteDelayMs`, then gone: its NIC detached, its OS disk deleted or detached. */
  deleteVm(group: string, name: string): ArmReply {
    const resource = this.find(group, COMPUTE, 'virtualMachines', name);
    if (!resource) return { status: 204 };
    resource.properties.provisioningState = 'Deleting';
    const operation = this.operation(COMPUTE, resource.location);
    this.settle(operation, this.settings.deleteDelayMs, () => {
      this.resources.delete(resource.id.toLowerCase());
      for (const ref of resource.properties.networkProfile.networkInterfaces as Json[]) {
        const nic = this.resources.get(String(ref.id).toLowerCase());
        if (nic) {
          delete nic.properties.virtualMachine;
          if (ref.properties?.deleteOption === 'Delete') this.resources.delete(nic.id.toLowerCase());
        }
      }
      const osDisk = resource.properties.storageProfile.osDisk;
      const disk = this.resources.get(String(osDisk.managedDisk.id).toLowerCase());
      if (disk) {
        if (osDisk.deleteOption === 'Delete') this.resources.delete(disk.id.toLowerCase());
        else {
          delete disk.managedBy;
          disk.properties.diskState = 'Unattached';
        }
      }
      return undefined;
    });
    return { status: 202, operation };
  }

  // ---- disks -----------------------------------------------------------------------------------------

  putDisk(group: string, name: string, body: Json): ArmReply {
    const id = this.resourceId(group, COMPUTE, 'disks', name);
    const existing = this.resources.get(id.toLowerCase());
    if (existing) return this.updateTags(existing, body);
    const location = this.checkLocation(body.location);
    const creation = (body.properties?.creationData ?? {}) as Json;
    const properties: Json = { creationData: { createOption: creation.createOption }, provisioningState: 'Succeeded', timeCreated: new Date().toISOString(), encryption: { type: 'EncryptionAtRestWithPlatformKey' } };
    if (creation.createOption === 'Upload') {
      const size = Number(creation.uploadSizeBytes);
      if (!Number.isInteger(size) || size < 20_972_032 || size % 512 !== 0) {
        throw badRequest('InvalidParameter', `The value of parameter uploadSizeBytes is invalid: ${String(creation.uploadSizeBytes)}. It must be a multiple of 512 bytes, at least 20972032.`);
      }
      Object.assign(properties, { creationData: { createOption: 'Upload', uploadSizeBytes: size }, diskSizeGB: Math.ceil(size / 2 ** 30), diskState: 'ReadyToUpload' });
    } else if (creation.createOption === 'Empty') {
      Object.assign(properties, { diskSizeGB: Number(body.properties?.diskSizeGB ?? 32), diskState: 'Unattached' });
    } else {
      throw badRequest('InvalidParameter', `The value of parameter createOption is invalid: ${String(creation.createOption)}.`);
    }
    const resource: Json = { id, name, type: `${COMPUTE}/disks`, location, ...(body.tags ? { tags: { ...body.tags } } : {}), sku: { name: body.sku?.name ?? 'Standard_LRS', tier: 'Standard' }, properties };
    this.resources.set(id.toLowerCase(), resource);
    const operation = this.operation(COMPUTE, location);
    this.finish(operation);
    return { status: 202, body: view(resource), operation };
  }

  /** `beginGetAccess`: a SAS URL to the disk's page blob (write access only for an upload). */
  grantAccess(group: string, name: string, body: Json, blobBase: string): ArmReply {
    const disk = this.find(group, COMPUTE, 'disks', name);
    if (!disk) throw notFound(`${COMPUTE}/disks`, name, group);
    const access = body.access;
    if (access === 'Write' && disk.properties.diskState !== 'ReadyToUpload') {
      throw new ArmError(409, 'OperationNotAllowed', `Disk ${name} is in state ${disk.properties.diskState}: Write access needs ReadyToUpload.`);
    }
    if (!['Read', 'Write'].includes(access)) throw badRequest('InvalidParameter', `The value of parameter access is invalid: ${String(access)}.`);
    const path = `/md-${randomBytes(6).toString('hex')}/${randomBytes(6).toString('hex')}/abcd`;
    const signature = randomBytes(24).toString('base64url');
    const expiry = new Date(Date.now() + Number(body.durationInSeconds ?? 3600) * 1000).toISOString();
    const size = Number(disk.properties.creationData.uploadSizeBytes ?? disk.properties.diskSizeGB * 2 ** 30);
    this.blobs.set(path, { path, signature, size, pages: new Map(), open: true });
    disk.properties.diskState = access === 'Write' ? 'ActiveUpload' : 'ActiveSAS';
    Object.defineProperty(disk, 'blob', { value: path, enumerable: false, configurable: true });
    const accessSAS = `${blobBase}${path}?sv=2018-03-28&sr=b&si=${randomUUID()}&se=${encodeURIComponent(expiry)}&sp=${access === 'Write' ? 'rw' : 'r'}&sig=${signature}`;
    const operation = this.operation(COMPUTE, disk.location);
    operation.result = { accessSAS };
    this.finish(operation);
    return { status: 202, operation };
  }

  /** `endGetAccess`: closes the blob; an upload's disk becomes usable (`Unattached`). */
  revokeAccess(group: string, name: string): ArmReply {
    const disk = this.find(group, COMPUTE, 'disks', name);
    if (!disk) throw notFound(`${COMPUTE}/disks`, name, group);
    const blob = this.blobs.get((disk as { blob?: string }).blob ?? '');
    if (blob) blob.open = false;
    if (disk.properties.diskState === 'ActiveUpload' || disk.properties.diskState === 'ActiveSAS') disk.properties.diskState = 'Unattached';
    const operation = this.operation(COMPUTE, disk.location);
    this.finish(operation);
    return { status: 202, operation };
  }

  deleteDisk(group: string, name: string): ArmReply {
    const disk = this.find(group, COMPUTE, 'disks', name);
    if (!disk) return { status: 204 };
    if (disk.managedBy) throw new ArmError(409, 'OperationNotAllowed', `Disk ${name} is attached to VM ${disk.managedBy}.`);
    if (disk.properties.diskState === 'ActiveUpload' || disk.properties.diskState === 'ActiveSAS') {
      throw new ArmError(409, 'OperationNotAllowed', `Disk ${name} is in state ${disk.properties.diskState}; revoke its access first.`);
    }
    return this.remove(disk, COMPUTE, 0);
  }

  /** What was written to each page blob so far, whole (for tests; blobs outlive their disks). */
  blobContents(): { path: string; size: number; content: Buffer }[] {
    return [...this.blobs.values()].map((blob) => {
      const content = Buffer.alloc(blob.size);
      for (const [offset, page] of blob.pages) page.copy(content, offset);
      return { path: blob.path, size: blob.size, content };
    });
  }

  /** What was written to a disk's blob, as one buffer of the written length (for tests). */
  /** What a VM was given that ARM does not show (password, custom data, user data); undefined for no such VM. */
  vmSecrets(group: string, name: string): { adminPassword?: string; customData?: string; userData?: string } | undefined {
    const vm = this.find(group, COMPUTE, 'virtualMachines', name) as (Json & { secret?: Json }) | undefined;
    return vm?.secret ? { ...vm.secret } : undefined;
  }

  diskContent(group: string, name: string): Buffer | undefined {
    const disk = this.find(group, COMPUTE, 'disks', name);
    const blob = disk && this.blobs.get((disk as { blob?: string }).blob ?? '');
    if (!blob) return undefined;
    const content = Buffer.alloc(blob.size);
    for (const [offset, page] of blob.pages) page.copy(content, offset);
    return content;
  }

  // ---- images -------------------------------------------------------------------------------------------

  putImage(group: string, name: string, body: Json): ArmReply {
    const id = this.resourceId(group, COMPUTE, 'images', name);
    const existing = this.resources.get(id.toLowerCase());
    if (existing) return this.updateTags(existing, body);
    const location = this.checkLocation(body.location);
    const osDisk = (body.properties?.storageProfile?.osDisk ?? {}) as Json;
    const source = this.resources.get(String(osDisk.managedDisk?.id ?? '').toLowerCase());
    if (!source || source.type !== `${COMPUTE}/disks`) throw badRequest('InvalidParameter', `The source disk ${String(osDisk.managedDisk?.id)} of the image was not found.`);
    if (source.properties.diskState === 'ReadyToUpload' || source.properties.diskState === 'ActiveUpload') {
      throw new ArmError(409, 'OperationNotAllowed', `Disk ${source.name} is in state ${source.properties.diskState} and cannot be used as an image source.`);
    }
    if (!['Linux', 'Windows'].includes(osDisk.osType)) throw badRequest('InvalidParameter', "Required parameter 'osDisk.osType' is missing or invalid.");
    const resource: Json = {
      id,
      name,
      type: `${COMPUTE}/images`,
      location,
      ...(body.tags ? { tags: { ...body.tags } } : {}),
      properties: {
        storageProfile: {
          osDisk: { osType: osDisk.osType, osState: osDisk.osState ?? 'Generalized', managedDisk: { id: source.id }, caching: 'ReadWrite', storageAccountType: 'Standard_LRS', diskSizeGB: source.properties.diskSizeGB },
          dataDisks: [],
          zoneResilient: body.properties?.storageProfile?.zoneResilient ?? false,
        },
        provisioningState: 'Creating',
        hyperVGeneration: body.properties?.hyperVGeneration ?? 'V1',
      },
    };
    this.resources.set(id.toLowerCase(), resource);
    const operation = this.operation(COMPUTE, location);
    this.settle(operation, 0, () => {
      resource.properties.provisioningState = 'Succeeded';
      return undefined;
    });
    return { status: 201, body: view(resource), operation };
  }

  deleteImage(group: string, name: string): ArmReply {
    const image = this.find(group, COMPUTE, 'images', name);
    if (!image) return { status: 204 };
    return this.remove(image, COMPUTE, 0);
  }

  // ---- usages, SKUs ---------------------------------------------------------------------------------------

  usages(location: string): Json[] {
    this.checkLocation(location);
    const used = this.used(location);
    const family = new Map<string, number>();
    for (const vm of this.vms(location)) {
      const size = this.size(vm);
      if (size) family.set(size.family, (family.get(size.family) ?? 0) + size.vCPUs);
    }
    const entry = (value: string, localizedValue: string, currentValue: number, limit: number) => ({ limit, unit: 'Count', currentValue, name: { value, localizedValue } });
    return [
      entry('availabilitySets', 'Availability Sets', 0, 2500),
      entry('cores', 'Total Regional vCPUs', used.cores, this.settings.quotas.cores),
      entry('virtualMachines', 'Virtual Machines', used.virtualMachines, this.settings.quotas.virtualMachines),
      entry('virtualMachineScaleSets', 'Virtual Machine Scale Sets', 0, 2500),
      ...[...new Set(this.settings.vmSizes.map((size) => size.family))].map((name) => entry(name, `Standard ${name} vCPUs`, family.get(name) ?? 0, this.settings.quotas.cores)),
    ];
  }

  skus(filterLocation: string | undefined): Json[] {
    const locations = filterLocation ? [filterLocation] : this.settings.locations;
    return this.settings.vmSizes.map((size) => ({
      resourceType: 'virtualMachines',
      name: size.name,
      tier: 'Standard',
      size: size.name.replace(/^Standard_/, ''),
      family: size.family,
      locations,
      locationInfo: locations.map((location) => ({ location, zones: ['1', '2', '3'], zoneDetails: [] })),
      capabilities: [
        { name: 'MaxResourceVolumeMB', value: '4096' },
        { name: 'OSVhdSizeMB', value: '1047552' },
        { name: 'vCPUs', value: String(size.vCPUs) },
        { name: 'MemoryGB', value: String(size.memoryGB) },
        { name: 'HyperVGenerations', value: 'V1,V2' },
        { name: 'MaxNetworkInterfaces', value: '2' },
      ],
      restrictions: [],
    }));
  }

  // ---- control ----------------------------------------------------------------------------------------------

  /** A resource tagged as given, made behind the API's back: a leak of one of the kinds Nodepool makes. */
  addLeak(request: { resourceGroup: string; kind: 'vm' | 'nic' | 'pip' | 'disk' | 'image'; name: string; location?: string; tags?: Record<string, string> }): Json {
    if (!this.groups.has(request.resourceGroup.toLowerCase())) this.putGroup(request.resourceGroup, { location: this.settings.locations[0] });
    const group = this.getGroup(request.resourceGroup).name as string;
    const location = request.location ?? (this.getGroup(group).location as string);
    const type = { vm: 'virtualMachines', nic: 'networkInterfaces', pip: 'publicIPAddresses', disk: 'disks', image: 'images' }[request.kind];
    const provider = request.kind === 'nic' || request.kind === 'pip' ? NETWORK : COMPUTE;
    const id = this.resourceId(group, provider, type, request.name);
    const properties: Json = { provisioningState: 'Succeeded' };
    if (request.kind === 'vm') {
      Object.assign(properties, {
        vmId: randomUUID(),
        hardwareProfile: { vmSize: this.settings.vmSizes[0]!.name },
        storageProfile: { osDisk: { name: `${request.name}_OsDisk`, managedDisk: { id: `${id}_OsDisk` }, deleteOption: 'Delete' } },
        networkProfile: { networkInterfaces: [] },
      });
    }
    if (request.kind === 'nic') Object.assign(properties, { ipConfigurations: [] });
    if (request.kind === 'pip') Object.assign(properties, { publicIPAddressVersion: 'IPv4', publicIPAllocationMethod: 'Static', ipAddress: this.publicAddress('IPv4') });
    if (request.kind === 'disk') Object.assign(properties, { diskState: 'Unattached', diskSizeGB: 30, creationData: { createOption: 'Empty' } });
    if (request.kind === 'image') Object.assign(properties, { storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized' } } });
    const resource = { id, name: request.name, type: `${provider}/${type}`, location, ...(request.tags ? { tags: request.tags } : {}), properties };
    this.resources.set(id.toLowerCase(), resource);
    return view(resource);
  }

  // ---- local implementation ---------------------------------------------------------------------------------

  private find(group: string, provider: string, type: string, name: string): Json | undefined {
    return this.resources.get(this.resourceId(group, provider, type, name).toLowerCase());
  }

  private checkLocation(location: unknown): string {
    if (typeof location !== 'string' || location === '') throw badRequest('LocationRequired', 'The location property is required for this definition.');
    const normalized = location.toLowerCase().replace(/\s+/g, '');
    if (!this.settings.locations.includes(normalized)) {
      throw badRequest('LocationNotAvailableForResourceType', `The provided location '${location}' is not available for resource type. List of available regions for the resource type is '${this.settings.locations.join(',')}'.`);
    }
    return normalized;
  }

  private updateTags(resource: Json, body: Json): ArmReply {
    if (body.tags) resource.tags = { ...body.tags };
    const operation = this.operation(resource.type.startsWith(NETWORK) ? NETWORK : COMPUTE, resource.location);
    this.finish(operation);
    return { status: 200, body: view(resource), operation };
  }

  private remove(resource: Json, provider: 'Microsoft.Compute' | 'Microsoft.Network', delayMs: number): ArmReply {
    const operation = this.operation(provider, resource.location);
    this.settle(operation, delayMs, () => {
      this.resources.delete(resource.id.toLowerCase());
      return undefined;
    });
    return { status: 202, operation };
  }

  private operation(provider: 'Microsoft.Compute' | 'Microsoft.Network', location: string): AsyncOperation {
    const operation: AsyncOperation = { id: randomUUID(), provider, location, status: 'InProgress', startTime: new Date().toISOString() };
    this.operations.set(operation.id, operation);
    return operation;
  }

  private finish(operation: AsyncOperation, error?: { code: string; message: string }): void {
    operation.status = error ? 'Failed' : 'Succeeded';
    operation.endTime = new Date().toISOString();
    if (error) operation.error = error;
  }

  /** Runs `done` (which may return an error for the operation) now or after `delayMs`. */
  private settle(operation: AsyncOperation, delayMs: number, done: () => { code: string; message: string } | undefined): void {
    const run = () => this.finish(operation, done());
    if (delayMs <= 0) return run();
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, delayMs);
    timer.unref?.();
    this.timers.add(timer);
  }

  private vms(location: string): Json[] {
    return [...this.resources.values()].filter((resource) => resource.type === `${COMPUTE}/virtualMachines` && resource.location === location);
  }

  private size(vm: Json): FakeVmSize | undefined {
    const name = String(vm.properties?.hardwareProfile?.vmSize ?? '').toLowerCase();
    return this.settings.vmSizes.find((each) => each.name.toLowerCase() === name);
  }

  private used(location: string): { cores: number; virtualMachines: number } {
    let cores = 0;
    const vms = this.vms(location);
    for (const vm of vms) cores += this.size(vm)?.vCPUs ?? 0;
    return { cores, virtualMachines: vms.length };
  }

  private exceeded(location: string, size: FakeVmSize): string | undefined {
    const used = this.used(location);
    const { cores, virtualMachines } = this.settings.quotas;
    if (used.cores + size.vCPUs > cores) {
      return `Operation could not be completed as it results in exceeding approved Total Regional Cores quota. Additional details - Deployment Model: Resource Manager, Location: ${location}, Current Limit: ${cores}, Current Usage: ${used.cores}, Additional Required: ${size.vCPUs}, (Minimum) New Limit Required: ${used.cores + size.vCPUs}. Submit a request for Quota increase at https://aka.ms/ProdportalCRP/#blade/Microsoft_Azure_Capacity/UsageAndQuota.ReactView.`;
    }
    if (used.virtualMachines + 1 > virtualMachines) {
      return `Operation could not be completed as it results in exceeding approved Virtual Machines quota. Additional details - Deployment Model: Resource Manager, Location: ${location}, Current Limit: ${virtualMachines}, Current Usage: ${used.virtualMachines}, Additional Required: 1, (Minimum) New Limit Required: ${used.virtualMachines + 1}.`;
    }
    return undefined;
  }

  /** An image reference as ARM takes it: marketplace, a managed image by ID, or a gallery image. */
  private resolveImage(group: string, reference: unknown): Json {
    const ref = (reference ?? {}) as Json;
    if (typeof ref.id === 'string') {
      const image = this.resources.get(ref.id.toLowerCase());
      if (!image || image.type !== `${COMPUTE}/images`) throw new ArmError(404, 'NotFound', `The Image '${ref.id}' cannot be found in '${group}' region.`);
      if (image.properties.provisioningState !== 'Succeeded') throw new ArmError(409, 'OperationNotAllowed', `Image ${image.name} is not ready.`);
      return { id: image.id };
    }
    if (typeof ref.sharedGalleryImageId === 'string' || typeof ref.communityGalleryImageId === 'string') {
      const value = String(ref.sharedGalleryImageId ?? ref.communityGalleryImageId);
      if (!/^\/(SharedGalleries|CommunityGalleries)\/[^/]+\/Images\/[^/]+(\/Versions\/[^/]+)?$/i.test(value)) throw badRequest('InvalidParameter', `The gallery image ID ${value} is malformed.`);
      return { ...(ref.sharedGalleryImageId ? { sharedGalleryImageId: value } : { communityGalleryImageId: value }) };
    }
    const image = this.marketplace.find((each) => each.publisher.toLowerCase() === String(ref.publisher).toLowerCase() && each.offer.toLowerCase() === String(ref.offer).toLowerCase() && each.sku.toLowerCase() === String(ref.sku).toLowerCase());
    if (!image || (ref.version !== 'latest' && ref.version !== image.version)) {
      throw new ArmError(404, 'PlatformImageNotFound', `The platform image '${String(ref.publisher)}:${String(ref.offer)}:${String(ref.sku)}:${String(ref.version)}' is not available. Verify that all fields in the storage profile are correct.`);
    }
    return { publisher: image.publisher, offer: image.offer, sku: image.sku, version: ref.version, exactVersion: image.version };
  }

  private privateAddress(version: string): string {
    const n = ++this.addressCounter;
    return version === 'IPv6' ? `fd00:db8:deca::${(n + 3).toString(16)}` : `10.0.${Math.floor((n + 3) / 250)}.${((n + 3) % 250) + 1}`;
  }

  private publicAddress(version: string): string {
    const n = ++this.addressCounter;
    return version === 'IPv6' ? `2603:1030:${(n >> 16).toString(16)}::${(n & 0xffff).toString(16)}` : `20.${42 + Math.floor(n / 65000)}.${Math.floor(n / 250) % 250}.${(n % 250) + 1}`;
  }
}

/** A resource as GET shows it (a copy: ARM answers are snapshots). */
function view(resource: Json): Json {
  return structuredClone(resource);
}

function isBase64(value: unknown): boolean {
  return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) && value.length % 4 === 0;
}

/** A stable hash, for ETags. */
export function etagOf(value: unknown): string {
  return `"${createHash('sha1').update(JSON.stringify(value)).digest('hex')}"`;
}

function checkSettings(settings: FakeAzureSettings): FakeAzureSettings {
  for (const name of ['bootDelayMs', 'deleteDelayMs', 'publicIpDelayMs', 'retryAfterS', 'latencyMs', 'ratePerSecond', 'tokenTtlS'] as const) {
    if (typeof settings[name] !== 'number' || !(settings[name] >= 0)) throw new FakeAzureUsageError(`${name} must be a number >= 0`);
  }
  if (!Number.isInteger(settings.pageSize) || settings.pageSize < 1) throw new FakeAzureUsageError('pageSize must be an integer >= 1');
  if (!Array.isArray(settings.locations) || settings.locations.length === 0) throw new FakeAzureUsageError('locations must name at least one location');
  for (const name of ['cores', 'virtualMachines'] as const) {
    if (typeof settings.quotas[name] !== 'number' || settings.quotas[name] < 0) throw new FakeAzureUsageError(`quota ${name} must be a number >= 0`);
  }
  for (const key of Object.keys(settings.quotas)) if (!['cores', 'virtualMachines'].includes(key)) throw new FakeAzureUsageError(`unknown quota ${key} (cores or virtualMachines)`);
  return settings;
}
