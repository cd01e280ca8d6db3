import { createHash, randomUUID } from 'node:crypto';
import { CountRules } from '@nodepool/core/testing';
import type { FakeBootFailure, FakeFault, FakeRuleState } from './fault-rules.js';
import { applySettingsPatch, DEFAULT_SETTINGS, FakeIbmVpcUsageError, type FakeIbmVpcSettings, type FakeIbmVpcSettingsPatch } from './fake-ibmvpc-settings.js';
import type {
  AddFloatingIpRequest,
  AddImageRequest,
  AddInstanceRequest,
  FakeBucket,
  FakeCallCounts,
  FakeFloatingIp,
  FakeIbmVpcState,
  FakeImage,
  FakeInstance,
  FakeKey,
  FakeOperatingSystem,
  FakeResourceGroup,
  FakeServiceInstance,
  FakeSubnet,
  FakeVpc,
} from './fake-types.js';
import { FakeIam } from './iam.js';

/** The API key the fake accepts unless told others. */
export const FAKE_IBM_API_KEY = 'fake-ibm-api-key';

/** Options of a fake IBM Cloud: any setting, plus what it starts with. */
export interface FakeIbmVpcOptions extends FakeIbmVpcSettingsPatch {
  /** API keys IAM accepts; default `[FAKE_IBM_API_KEY]`. */
  readonly apiKeys?: readonly string[];
  /** The VPC present from the start (default `nodepool`), with a subnet per zone (`sn-nodepool` in the first zone, `sn-nodepool-<zone>` in the others). */
  readonly vpcName?: string;
  /** SSH keys present from the start; default `zuul`. */
  readonly keyNames?: readonly string[];
  /** Name of the Cloud Object Storage instance; default `Cloud Object Storage-r6`. */
  readonly storageInstanceName?: string;
  /** Buckets present from the start; default `nodepool-images`. */
  readonly buckets?: readonly string[];
  /**
   * The clock instance, floating IP and image states run on (ms); default `Date.now`. States are
   * computed when asked, not by timers, so a test may move a fake clock instead of waiting.
   */
  readonly now?: () => number;
}

/** Operating systems of the fake's public images (the VPC's catalog entries they stand for). */
export const OPERATING_SYSTEMS: readonly FakeOperatingSystem[] = [
  { name: 'ubuntu-22-04-amd64', architecture: 'amd64', dedicatedHostOnly: false, displayName: 'Ubuntu Linux 22.04 LTS Jammy Jellyfish Minimal Install (amd64)', family: 'Ubuntu Linux', vendor: 'Canonical', version: '22.04 LTS Jammy Jellyfish Minimal Install' },
  { name: 'debian-12-amd64', architecture: 'amd64', dedicatedHostOnly: false, displayName: 'Debian GNU/Linux 12.x Bookworm/Stable - Minimal Install (amd64)', family: 'Debian GNU/Linux', vendor: 'Debian', version: '12.x Bookworm/Stable - Minimal Install' },
  { name: 'debian-11-amd64', architecture: 'amd64', dedicatedHostOnly: false, displayName: 'Debian GNU/Linux 11.x Bullseye/Stable - Minimal Install (amd64)', family: 'Debian GNU/Linux', vendor: 'Debian', version: '11.x Bullseye/Stable - Minimal Install' },
  { name: 'red-9-amd64-byol', architecture: 'amd64', dedicatedHostOnly: true, displayName: 'Red Hat Enterprise Linux 9.x - Minimal Install (amd64) BYOL', family: 'Red Hat Enterprise Linux', vendor: 'Red Hat', version: '9.x - Minimal Install' },
];

/** The public images the fake starts with: name and operating system, oldest first. */
const PUBLIC_IMAGES: readonly { name: string; os: string }[] = [
  { name: 'ibm-debian-11-9-minimal-amd64-2', os: 'debian-11-amd64' },
  { name: 'ibm-ubuntu-22-04-3-minimal-amd64-1', os: 'ubuntu-22-04-amd64' },
  { name: 'ibm-debian-12-5-minimal-amd64-1', os: 'debian-12-amd64' },
  { name: 'ibm-ubuntu-22-04-4-minimal-amd64-3', os: 'ubuntu-22-04-amd64' },
  { name: 'ibm-redhat-9-4-minimal-amd64-byol', os: 'red-9-amd64-byol' },
];

/** A refusal of a call: the status and the service's code and message. */
export class FakeRefusal extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly target?: { readonly name: string; readonly type: 'field' | 'parameter' | 'header' },
  ) {
    super(message);
  }
}

/**
 * The state of a fake IBM Cloud account in one region: IAM tokens, resource groups, the Cloud
 * Object Storage instance and its buckets, and the VPC's VPCs, subnets, keys, profiles, images,
 * instances and floating IPs. State changes (boots, deletions, image imports) are computed from
 * the clock when looked at. Calls are counted per operation; faults are injected by count.
 */
export class FakeIbmVpc {
  readonly iam: FakeIam;
  readonly accountId = randomUUID().replaceAll('-', '');
  /** The cloud's own group, holding its public images (not listed to the account). */
  readonly providerGroupId = randomUUID().replaceAll('-', '');
  readonly now: () => number;
  private current: FakeIbmVpcSettings;
  private counts: FakeCallCounts = {};
  private log: string[] = [];
  private readonly faults = new CountRules<FakeFault>(FakeIbmVpcUsageError);
  private readonly bootFailures = new CountRules<FakeBootFailure>(FakeIbmVpcUsageError);
  private addressCounter = 0;

  resourceGroups: FakeResourceGroup[] = [];
  vpcs: FakeVpc[] = [];
  subnets: FakeSubnet[] = [];
  keys: FakeKey[] = [];
  instances: FakeInstance[] = [];
  floatingIps: FakeFloatingIp[] = [];
  images: FakeImage[] = [];
  serviceInstances: FakeServiceInstance[] = [];
  buckets = new Map<string, FakeBucket>();

  constructor(private readonly options: FakeIbmVpcOptions = {}) {
    this.now = options.now ?? Date.now;
    this.iam = new FakeIam(new Set(options.apiKeys ?? [FAKE_IBM_API_KEY]), this.accountId);
    this.current = applySettingsPatch(DEFAULT_SETTINGS, settingsOf(options));
    this.seed();
  }

  settings(): FakeIbmVpcSettings {
    return this.current;
  }

  configure(patch: FakeIbmVpcSettingsPatch): FakeIbmVpcSettings {
    this.current = applySettingsPatch(this.current, patch);
    return this.current;
  }

  // ---- counting and faults -------------------------------------------------------------------

  /** Counts a call answered (`op`), refused (`op.failed`) or throttled (`op.throttled`). */
  count(operation: string, outcome: 'ok' | 'failed' | 'throttled'): void {
    const key = outcome === 'ok' ? operation : `${operation}.${outcome}`;
    this.counts[key] = (this.counts[key] ?? 0) + 1;
    this.log.push(key);
  }

  calls(): FakeCallCounts {
    return { ...this.counts };
  }

  callLog(): string[] {
    return [...this.log];
  }

  resetCalls(): FakeCallCounts {
    const counts = this.counts;
    this.counts = {};
    this.log = [];
    return counts;
  }

  injectFault(fault: FakeFault): FakeRuleState<FakeFault>[] {
    this.faults.add(fault);
    return this.faults.list();
  }

  failBoots(failure: FakeBootFailure): FakeRuleState<FakeBootFailure>[] {
    this.bootFailures.add(failure);
    return this.bootFailures.list();
  }

  faultRules(): { faults: FakeRuleState<FakeFault>[]; bootFailures: FakeRuleState<FakeBootFailure>[] } {
    return { faults: this.faults.list(), bootFailures: this.bootFailures.list() };
  }

  clearFaults(): void {
    this.faults.clear();
    this.bootFailures.clear();
  }

  /** The fault that hits this call of `operation`, if any. */
  takeFault(operation: string): FakeFault | undefined {
    return this.faults.take((fault) => fault.operation === '*' || fault.operation === operation);
  }

  /** How long this call of `operation` is held before it is served. */
  latencyOf(operation: string): number {
    return this.current.latencyMs + (this.current.operationLatencyMs[operation] ?? 0);
  }

  // ---- state, computed from the clock ---------------------------------------------------------

  /** Applies what time did: boots finished, deletions done, floating IPs and images ready. */
  settle(): void {
    const now = this.now();
    const { deleteDelayMs } = this.current;
    this.instances = this.instances.filter((instance) => instance.deletingSince === null || now - instance.deletingSince < deleteDelayMs);
    for (const instance of this.instances) {
      if (instance.deletingSince !== null) instance.status = 'deleting';
      else if (instance.status === 'pending' && now >= instance.readyAt) instance.status = instance.failure ? 'failed' : 'running';
    }
    for (const fip of this.floatingIps) if (fip.status === 'pending' && now >= fip.availableAt) fip.status = 'available';
    for (const image of this.images) if (image.status === 'pending' && now >= image.availableAt) image.status = image.failure ? 'failed' : 'available';
  }

  groupById(id: string): FakeResourceGroup | undefined {
    return this.resourceGroups.find((group) => group.id === id);
  }

  groupByName(name: string): FakeResourceGroup | undefined {
    return this.resourceGroups.find((group) => group.name === name);
  }

  createResourceGroup(name: string): FakeResourceGroup {
    if (this.groupByName(name)) throw new FakeRefusal(400, 'RG-0001', `A resource group named ${name} already exists in the account.`);
    const id = randomUUID().replaceAll('-', '');
    const group: FakeResourceGroup = { id, crn: `crn:v1:bluemix:public:resource-controller::a/${this.accountId}::resource-group:${id}`, name, default: false, createdAt: this.now() };
    this.resourceGroups.push(group);
    return group;
  }

  /** Creates an instance as `POST /instances` asks (already validated). */
  createInstance(spec: Omit<FakeInstance, 'id' | 'networkInterfaceId' | 'privateAddress' | 'createdAt' | 'readyAt' | 'failure' | 'deletingSince' | 'status'>): FakeInstance {
    const now = this.now();
    const failure = this.bootFailures.take(() => true);
    const subnet = this.subnets.find((candidate) => candidate.id === spec.subnetId)!;
    const instance: FakeInstance = {
      ...spec,
      id: vpcId(spec.zone),
      networkInterfaceId: vpcId(spec.zone),
      privateAddress: this.current.privateAddress ?? `${subnet.prefix}.${4 + (this.addressCounter++ % 250)}`,
      createdAt: now,
      readyAt: now + this.current.bootDelayMs,
      failure: failure ? (failure.message ?? 'The instance could not be placed on a host: no valid host was found.') : null,
      deletingSince: null,
      status: 'pending',
    };
    this.instances.push(instance);
    return instance;
  }

  deleteInstance(instance: FakeInstance): void {
    if (instance.deletingSince !== null) return;
    instance.deletingSince = this.now();
    instance.status = 'deleting';
    // Its floating IPs stay, unbound, as the VPC keeps them.
    for (const fip of this.floatingIps) if (fip.targetNetworkInterfaceId === instance.networkInterfaceId) fip.targetNetworkInterfaceId = null;
    this.settle();
  }

  createFloatingIp(name: string, zone: string, resourceGroupId: string): FakeFloatingIp {
    const now = this.now();
    const fip: FakeFloatingIp = {
      id: vpcId(zone),
      name,
      address: this.current.floatingAddress ?? `169.61.${(this.addressCounter >> 8) & 0xff}.${this.addressCounter++ & 0xff}`,
      zone,
      resourceGroupId,
      createdAt: now,
      availableAt: now + this.current.floatingIpDelayMs,
      targetNetworkInterfaceId: null,
      status: 'pending',
    };
    this.floatingIps.push(fip);
    this.settle();
    return fip;
  }

  /** An image from a `cos://<region>/<bucket>/<object>` file: failed later if the object cannot be read. */
  createImage(name: string, fileHref: string, operatingSystem: string, resourceGroupId: string): FakeImage {
    const now = this.now();
    const match = /^cos:\/\/([^/]+)\/([^/]+)\/(.+)$/.exec(fileHref);
    let failure: string | null = null;
    const region = this.current.bucketLocation.slice(0, this.current.bucketLocation.lastIndexOf('-'));
    if (!match) failure = `The file href ${fileHref} is not a cos:// URL.`;
    else if (match[1] !== region) failure = `The bucket is not in region ${match[1]}.`;
    else if (!this.buckets.get(match[2]!)?.objects.has(decodeURIComponent(match[3]!))) failure = `The object ${match[3]} could not be read from bucket ${match[2]}.`;
    const image: FakeImage = {
      id: vpcId(this.current.zones[0]!),
      name,
      visibility: 'private',
      operatingSystem,
      resourceGroupId,
      fileHref,
      createdAt: now,
      availableAt: now + this.current.imageDelayMs,
      failure,
      status: 'pending',
    };
    this.images.push(image);
    this.settle();
    return image;
  }

  // ---- behind the API's back -----------------------------------------------------------------

  addInstance(request: AddInstanceRequest = {}): FakeInstance {
    const zone = request.zone ?? this.current.zones[0]!;
    const subnet = this.subnets.find((candidate) => candidate.zone === zone) ?? this.subnets[0]!;
    const group = request.resourceGroup ? (this.groupByName(request.resourceGroup) ?? this.createResourceGroup(request.resourceGroup)) : this.defaultGroup();
    const name = request.name ?? `instance-${this.instances.length + 1}`;
    const instance = this.createInstance({
      name,
      profile: request.profile ?? this.current.profiles[0]!.name,
      imageId: this.images.find((image) => image.visibility === 'public')!.id,
      zone,
      vpcId: subnet.vpcId,
      subnetId: subnet.id,
      resourceGroupId: group.id,
      keyIds: [],
      userData: null,
      bootVolumeName: name,
    });
    Object.assign(instance, { readyAt: this.now(), failure: request.status === 'failed' ? 'added failed' : null });
    if (request.status === 'pending') Object.assign(instance, { readyAt: Number.POSITIVE_INFINITY });
    this.settle();
    return instance;
  }

  addFloatingIp(request: AddFloatingIpRequest = {}): FakeFloatingIp {
    const group = request.resourceGroup ? (this.groupByName(request.resourceGroup) ?? this.createResourceGroup(request.resourceGroup)) : this.defaultGroup();
    const fip = this.createFloatingIp(request.name ?? `fip-${this.floatingIps.length + 1}`, request.zone ?? this.current.zones[0]!, group.id);
    Object.assign(fip, { availableAt: this.now() });
    if (request.instance) {
      const instance = this.instances.find((candidate) => candidate.name === request.instance);
      if (!instance) throw new FakeIbmVpcUsageError(`no instance named ${request.instance}`);
      fip.targetNetworkInterfaceId = instance.networkInterfaceId;
    }
    this.settle();
    return fip;
  }

  addImage(request: AddImageRequest): FakeImage {
    const visibility = request.visibility ?? 'private';
    const group = visibility === 'public' ? undefined : request.resourceGroup ? (this.groupByName(request.resourceGroup) ?? this.createResourceGroup(request.resourceGroup)) : this.defaultGroup();
    const now = this.now();
    const image: FakeImage = {
      id: vpcId(this.current.zones[0]!),
      name: request.name,
      visibility,
      operatingSystem: request.operatingSystem ?? OPERATING_SYSTEMS[0]!.name,
      resourceGroupId: group?.id ?? this.providerGroupId,
      fileHref: null,
      createdAt: now,
      availableAt: now,
      failure: null,
      status: request.status ?? 'available',
    };
    this.images.push(image);
    return image;
  }

  state(): FakeIbmVpcState {
    this.settle();
    return structuredClone({
      accountId: this.accountId,
      resourceGroups: this.resourceGroups,
      vpcs: this.vpcs,
      subnets: this.subnets,
      keys: this.keys,
      instances: this.instances,
      floatingIps: this.floatingIps,
      images: this.images,
      serviceInstances: this.serviceInstances,
      buckets: [...this.buckets.values()].map((bucket) => ({ name: bucket.name, objects: [...bucket.objects.values()].map((object) => ({ key: object.key, size: object.data.length })) })),
    });
  }

  /** Back to the starting state: settings, seed resources, zero counters, no faults or tokens. */
  reset(): void {
    this.current = applySettingsPatch(DEFAULT_SETTINGS, settingsOf(this.options));
    this.counts = {};
    this.log = [];
    this.clearFaults();
    this.iam.reset();
    this.seed();
  }

  private defaultGroup(): FakeResourceGroup {
    return this.resourceGroups.find((group) => group.default) ?? this.resourceGroups[0]!;
  }

  private seed(): void {
    const now = this.now();
    this.resourceGroups = [];
    this.instances = [];
    this.floatingIps = [];
    this.images = [];
    this.buckets = new Map();
    const defaultId = randomUUID().replaceAll('-', '');
    this.resourceGroups.push({ id: defaultId, crn: `crn:v1:bluemix:public:resource-controller::a/${this.accountId}::resource-group:${defaultId}`, name: 'Default', default: true, createdAt: now });
    const zones = this.current.zones;
    const vpc: FakeVpc = { id: vpcId(this.current.region), name: this.options.vpcName ?? 'nodepool', resourceGroupId: defaultId, createdAt: now };
    this.vpcs = [vpc];
    this.subnets = zones.map((zone, index) => ({
      id: vpcId(zone),
      name: index === 0 ? `sn-${vpc.name}` : `sn-${vpc.name}-${zone}`,
      vpcId: vpc.id,
      zone,
      prefix: `10.240.${index * 64}`,
      resourceGroupId: defaultId,
      createdAt: now + index,
    }));
    this.keys = (this.options.keyNames ?? ['zuul']).map((name, index) => ({ id: vpcId(this.current.region), name, publicKey: `ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI${createHash('sha256').update(name).digest('base64').slice(0, 40)} ${name}`, resourceGroupId: defaultId, createdAt: now + index }));
    PUBLIC_IMAGES.forEach(({ name, os }, index) => {
      const created = now - (PUBLIC_IMAGES.length - index) * 86_400_000;
      this.images.push({ id: vpcId(zones[0]!), name, visibility: 'public', operatingSystem: os, resourceGroupId: this.providerGroupId, fileHref: null, createdAt: created, availableAt: created, failure: null, status: 'available' });
    });
    const guid = randomUUID();
    this.serviceInstances = [
      {
        guid,
        crn: `crn:v1:bluemix:public:cloud-object-storage:global:a/${this.accountId}:${guid}::`,
        name: this.options.storageInstanceName ?? 'Cloud Object Storage-r6',
        service: 'cloud-object-storage',
        resourceGroupId: defaultId,
      },
    ];
    for (const name of this.options.buckets ?? ['nodepool-images']) this.buckets.set(name, { name, objects: new Map(), uploads: new Map() });
  }
}

/** A VPC resource ID: a zone-ish prefix and a UUID (`0717-3f0c…`), as the VPC's look. */
function vpcId(zone: string): string {
  let hash = 0;
  for (const char of zone) hash = (hash * 31 + char.charCodeAt(0)) & 0xfff;
  return `${hash.toString(16).padStart(4, '0')}-${randomUUID()}`;
}

function settingsOf(options: FakeIbmVpcOptions): FakeIbmVpcSettingsPatch {
  const { apiKeys: _apiKeys, vpcName: _vpcName, keyNames: _keyNames, storageInstanceName: _storage, buckets: _buckets, now: _now, ...settings } = options;
  return settings;
}
