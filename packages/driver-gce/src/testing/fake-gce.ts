import { randomBytes } from 'node:crypto';
import { DEFAULT_IMAGES, DEFAULT_MACHINE_TYPES, DEFAULT_QUOTAS, QUOTA_METRICS, type FakeImageSpec, type FakeMachineType, type FakeQuotaMetric } from './catalog.js';
import { ComputeError } from './compute-error.js';
import { CountRules } from '@nodepool/core/testing';
import { FakeGceUsageError, type FakeGceBootFailure } from './fault-rules.js';

/** Where the API says its resources live, whatever endpoint served it (as Compute does). */
export const COMPUTE_BASE = 'https://www.googleapis.com/compute/v1/';

/** How the fake behaves; every field can be changed while it runs (`configure`). */
export interface FakeGceSettings {
  /** Zones the fake has (their regions are their names less the last part). */
  zones: string[];
  /** How long an inserted instance takes to be RUNNING (PROVISIONING, then STAGING). */
  bootDelayMs: number;
  /** How long a deleted instance stays listed (STOPPING). */
  deleteDelayMs: number;
  /** Added to every API call. */
  latencyMs: number;
  /** API calls per second before `rateLimitExceeded` (0: no limit); for benchmarks. */
  ratePerSecond: number;
  /** Region quotas (limits); usage is counted from the instances. */
  quotas: Record<FakeQuotaMetric, number>;
  /** Every external (NAT) address is this one (e.g. 127.0.0.1, for key scans); default: a sequence. */
  natAddress: string | null;
  /** Access tokens live this long. */
  tokenTtlS: number;
  machineTypes: FakeMachineType[];
}

/** Settings to change; quotas merge with the current ones. */
export type FakeGceSettingsPatch = Partial<Omit<FakeGceSettings, 'quotas'>> & { quotas?: Partial<Record<FakeQuotaMetric, number>> };

/** Constructor options: the settings, plus the images the fake starts with. */
export interface FakeGceOptions extends FakeGceSettingsPatch {
  images?: FakeImageSpec[];
}

type Json = Record<string, unknown>;

interface StoredInstance {
  project: string;
  zone: string;
  data: Json;
  timers: NodeJS.Timeout[];
  /** What the instance holds against the region's quotas. */
  uses: Record<FakeQuotaMetric, number>;
}

interface StoredOperation {
  project: string;
  zone: string;
  data: Json;
}

/** Counters of API calls by operation (`instances.insert`), with `.throttled` and `.failed`. */
export type FakeCallCounts = Record<string, number>;

/**
 * The state of a fake Compute Engine: instances, zone operations, machine types, images and
 * region quotas of any project, with Compute's lifecycle (PROVISIONING → STAGING → RUNNING,
 * STOPPING → gone), its resource shapes and its errors. The HTTP side is `fake-gce-server.ts`.
 */
export class FakeGce {
  settings: FakeGceSettings;
  private instances = new Map<string, StoredInstance>();
  private operations = new Map<string, StoredOperation>();
  private images: FakeImageSpec[];
  private imageData = new Map<string, Json>();
  private requestIds = new Map<string, Json>();
  readonly bootFailures = new CountRules<FakeGceBootFailure>(FakeGceUsageError);
  private addressCounter = 0;
  private stopped = false;

  constructor(options: FakeGceOptions = {}) {
    const { images, ...patch } = options;
    this.settings = checkSettings({
      zones: ['us-central1-a', 'us-central1-b', 'us-central1-c', 'us-central1-f'],
      bootDelayMs: 0,
      deleteDelayMs: 0,
      latencyMs: 0,
      ratePerSecond: 0,
      natAddress: null,
      tokenTtlS: 3600,
      machineTypes: [...DEFAULT_MACHINE_TYPES],
      ...patch,
      quotas: { ...DEFAULT_QUOTAS, ...patch.quotas },
    });
    this.images = [...(images ?? DEFAULT_IMAGES)];
  }

  configure(patch: FakeGceSettingsPatch): FakeGceSettings {
    this.settings = checkSettings({ ...this.settings, ...patch, quotas: { ...this.settings.quotas, ...patch.quotas } });
    return this.settings;
  }

  /** Stops every timer (the fake keeps its state). */
  stop(): void {
    this.stopped = true;
    for (const instance of this.instances.values()) for (const timer of instance.timers) clearTimeout(timer);
  }

  // ---- instances -----------------------------------------------------------------------------

  listInstances(project: string, zone: string): Json[] {
    this.checkZone(project, zone);
    return [...this.instances.values()].filter((each) => each.project === project && each.zone === zone).map((each) => each.data);
  }

  getInstance(project: string, zone: string, name: string): Json {
    this.checkZone(project, zone);
    const stored = this.instances.get(key(project, zone, name));
    if (!stored) throw notFound(`projects/${project}/zones/${zone}/instances/${name}`);
    return stored.data;
  }

  /**
   * `instances.insert`: checks the body as Compute does (synchronous 400/404/409 answers), then
   * answers with a running zone operation. Quota and capacity problems end that operation with
   * an error (`QUOTA_EXCEEDED`, `ZONE_RESOURCE_POOL_EXHAUSTED`) and no instance is left.
   */
  insertInstance(project: string, zone: string, body: Json, requestId: string | null): Json {
    this.checkZone(project, zone);
    if (requestId) {
      const earlier = this.requestIds.get(`${project}/${requestId}`);
      if (earlier) return earlier;
    }
    const name = body.name;
    if (typeof name !== 'string' || !/^[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?$/.test(name)) {
      throw invalid(`Invalid value for field 'resource.name': '${String(name)}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`);
    }
    if (this.instances.has(key(project, zone, name))) throw new ComputeError(409, 'alreadyExists', `The resource 'projects/${project}/zones/${zone}/instances/${name}' already exists`);
    const machineType = this.resolveMachineType(project, zone, body.machineType);
    const disks = this.checkDisks(project, zone, body.disks);
    const nics = this.checkNetworkInterfaces(project, body.networkInterfaces);
    const metadata = checkMetadata(body.metadata);
    const labels = checkLabels(body.labels, 'resource.labels');
    const bootDisk = disks[0]!;

    const now = Date.now();
    const data: Json = {
      kind: 'compute#instance',
      id: numericId(),
      creationTimestamp: timestamp(now),
      name,
      ...(typeof body.description === 'string' ? { description: body.description } : {}),
      tags: { fingerprint: fingerprint() },
      machineType: `${COMPUTE_BASE}projects/${project}/zones/${zone}/machineTypes/${machineType.name}`,
      status: 'PROVISIONING',
      zone: `${COMPUTE_BASE}projects/${project}/zones/${zone}`,
      canIpForward: false,
      networkInterfaces: nics.map((nic, index) => ({
        kind: 'compute#networkInterface',
        network: `${COMPUTE_BASE}projects/${project}/global/networks/default`,
        subnetwork: `${COMPUTE_BASE}projects/${project}/regions/${regionOf(zone)}/subnetworks/default`,
        networkIP: this.privateAddress(),
        name: `nic${index}`,
        ...(nic.nat ? { accessConfigs: [{ kind: 'compute#accessConfig', type: 'ONE_TO_ONE_NAT', name: nic.natName, natIP: this.publicAddress(), networkTier: 'PREMIUM' }] } : {}),
        fingerprint: fingerprint(),
        stackType: 'IPV4_ONLY',
      })),
      disks: [
        {
          kind: 'compute#attachedDisk',
          type: 'PERSISTENT',
          mode: 'READ_WRITE',
          source: `${COMPUTE_BASE}projects/${project}/zones/${zone}/disks/${name}`,
          deviceName: 'persistent-disk-0',
          index: 0,
          boot: true,
          autoDelete: bootDisk.autoDelete,
          interface: 'SCSI',
          diskSizeGb: String(bootDisk.sizeGb),
          architecture: 'X86_64',
        },
      ],
      metadata: { kind: 'compute#metadata', fingerprint: fingerprint(), ...(metadata.length > 0 ? { items: metadata } : {}) },
      serviceAccounts: Array.isArray(body.serviceAccounts) ? body.serviceAccounts : [],
      selfLink: `${COMPUTE_BASE}projects/${project}/zones/${zone}/instances/${name}`,
      scheduling: { onHostMaintenance: 'MIGRATE', automaticRestart: true, preemptible: false, provisioningModel: 'STANDARD' },
      cpuPlatform: 'Unknown CPU Platform',
      ...(Object.keys(labels).length > 0 ? { labels } : {}),
      labelFingerprint: fingerprint(),
      startRestricted: false,
      deletionProtection: false,
      fingerprint: fingerprint(),
    };
    const uses: Record<FakeQuotaMetric, number> = {
      CPUS: machineType.guestCpus,
      INSTANCES: 1,
      DISKS_TOTAL_GB: bootDisk.sizeGb,
      IN_USE_ADDRESSES: nics.filter((nic) => nic.nat).length,
    };
    const operation = this.newOperation(project, zone, 'insert', name, String(data.id));
    if (requestId) this.requestIds.set(`${project}/${requestId}`, operation.data);
    const answer = { ...operation.data };

    const exceeded = this.exceededQuota(project, zone, uses);
    if (exceeded) {
      const limit = this.settings.quotas[exceeded];
      this.finishOperation(operation, {
        code: 'QUOTA_EXCEEDED',
        message: `Quota '${exceeded}' exceeded.  Limit: ${limit.toFixed(1)} in region ${regionOf(zone)}.`,
        errorDetails: [{ quotaInfo: { metricName: `compute.googleapis.com/${exceeded.toLowerCase()}`, limitName: `${exceeded}-per-project-region`, dimensions: { region: regionOf(zone) }, limit } }],
      });
      return answer;
    }

    const stored: StoredInstance = { project, zone, data, timers: [], uses };
    this.instances.set(key(project, zone, name), stored);
    const failure = this.bootFailures.take(() => true);
    const settle = (): void => {
      if (failure?.mode === 'terminated') {
        data.status = 'TERMINATED';
        data.statusMessage = failure.message ?? 'Instance terminated during boot.';
        this.finishOperation(operation);
      } else if (failure) {
        this.instances.delete(key(project, zone, name));
        this.finishOperation(operation, {
          code: failure.code ?? 'ZONE_RESOURCE_POOL_EXHAUSTED',
          message: failure.message ?? `The zone 'projects/${project}/zones/${zone}' does not have enough resources available to fulfill the request.  Try a different zone, or try again later.`,
        });
      } else {
        data.status = 'RUNNING';
        data.lastStartTimestamp = timestamp(Date.now());
        this.finishOperation(operation);
      }
    };
    const delay = this.settings.bootDelayMs;
    if (delay <= 0) settle();
    else {
      stored.timers.push(this.later(delay / 2, () => (data.status = 'STAGING')));
      stored.timers.push(this.later(delay, settle));
      operation.data.status = 'RUNNING';
      operation.data.progress = 0;
      operation.data.startTime = timestamp(now);
    }
    return answer;
  }

  /** `instances.delete`: STOPPING, then gone after `deleteDelayMs`; the boot disk goes with it. */
  deleteInstance(project: string, zone: string, name: string): Json {
    this.checkZone(project, zone);
    const stored = this.instances.get(key(project, zone, name));
    if (!stored) throw notFound(`projects/${project}/zones/${zone}/instances/${name}`);
    const operation = this.newOperation(project, zone, 'delete', name, String(stored.data.id));
    const answer = { ...operation.data };
    for (const timer of stored.timers) clearTimeout(timer);
    stored.timers = [];
    const remove = (): void => {
      if (this.instances.get(key(project, zone, name)) === stored) this.instances.delete(key(project, zone, name));
      this.finishOperation(operation);
    };
    if (this.settings.deleteDelayMs <= 0) remove();
    else {
      stored.data.status = 'STOPPING';
      operation.data.status = 'RUNNING';
      stored.timers.push(this.later(this.settings.deleteDelayMs, remove));
    }
    return answer;
  }

  // ---- zone operations -----------------------------------------------------------------------

  getOperation(project: string, zone: string, name: string): Json {
    this.checkZone(project, zone);
    const operation = this.operations.get(key(project, zone, name));
    if (!operation) throw notFound(`projects/${project}/zones/${zone}/operations/${name}`);
    return operation.data;
  }

  listOperations(project: string, zone: string): Json[] {
    this.checkZone(project, zone);
    return [...this.operations.values()].filter((each) => each.project === project && each.zone === zone).map((each) => each.data);
  }

  // ---- machine types, images, regions ----------------------------------------------------------

  getMachineType(project: string, zone: string, name: string): Json {
    this.checkZone(project, zone);
    const type = this.settings.machineTypes.find((each) => each.name === name);
    if (!type) throw notFound(`projects/${project}/zones/${zone}/machineTypes/${name}`);
    return machineTypeData(project, zone, type);
  }

  listMachineTypes(project: string, zone: string): Json[] {
    this.checkZone(project, zone);
    return this.settings.machineTypes.map((type) => machineTypeData(project, zone, type));
  }

  getImage(project: string, name: string): Json {
    const image = this.images.find((each) => each.project === project && each.name === name);
    if (!image) throw notFound(`projects/${project}/global/images/${name}`);
    return this.imageJson(image);
  }

  /** The newest image of a family that is not deprecated (by creation, here: by position). */
  getImageFromFamily(project: string, family: string): Json {
    const candidates = this.images.filter((each) => each.project === project && each.family === family && each.deprecated === undefined);
    const image = candidates[candidates.length - 1];
    if (!image) throw notFound(`projects/${project}/global/images/family/${family}`);
    return this.imageJson(image);
  }

  listImages(project: string): Json[] {
    return this.images.filter((each) => each.project === project).map((image) => this.imageJson(image));
  }

  /** An image made behind the API's back (a new one of a family, say). */
  addImage(image: FakeImageSpec): Json {
    if (this.images.some((each) => each.project === image.project && each.name === image.name)) throw new FakeGceUsageError(`image ${image.project}/${image.name} exists`);
    this.images.push(image);
    return this.imageJson(image);
  }

  getRegion(project: string, region: string): Json {
    const zones = this.settings.zones.filter((zone) => regionOf(zone) === region);
    if (zones.length === 0) throw notFound(`projects/${project}/regions/${region}`);
    const usage = this.usage(project, region);
    return {
      kind: 'compute#region',
      id: String(1000 + this.regions().indexOf(region)),
      creationTimestamp: '1969-12-31T16:00:00.000-08:00',
      name: region,
      description: region,
      status: 'UP',
      zones: zones.map((zone) => `${COMPUTE_BASE}projects/${project}/zones/${zone}`),
      quotas: QUOTA_METRICS.map((metric) => ({ metric, limit: this.settings.quotas[metric], usage: usage[metric] })),
      selfLink: `${COMPUTE_BASE}projects/${project}/regions/${region}`,
      supportsPzs: false,
    };
  }

  // ---- control -----------------------------------------------------------------------------------

  /** An instance made behind Nodepool's back: a leak, or someone else's. RUNNING at once. */
  addInstance(request: { project: string; zone: string; name: string; machineType?: string; metadata?: Record<string, string>; labels?: Record<string, string>; status?: string }): Json {
    const { project, zone } = request;
    this.insertInstance(project, zone, {
      name: request.name,
      machineType: `zones/${zone}/machineTypes/${request.machineType ?? 'e2-small'}`,
      disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12' } }],
      networkInterfaces: [{ network: 'global/networks/default' }],
      metadata: { items: Object.entries(request.metadata ?? {}).map(([k, value]) => ({ key: k, value })) },
      labels: request.labels ?? {},
    }, null);
    const stored = this.instances.get(key(project, zone, request.name));
    if (!stored) throw new FakeGceUsageError(`instance ${request.name} could not be made (quota?)`);
    for (const timer of stored.timers) clearTimeout(timer);
    stored.data.status = request.status ?? 'RUNNING';
    return stored.data;
  }

  /** Every instance and operation, for tests. */
  state(): { instances: Json[]; operations: Json[]; images: FakeImageSpec[] } {
    return { instances: [...this.instances.values()].map((each) => each.data), operations: [...this.operations.values()].map((each) => each.data), images: [...this.images] };
  }

  // ---- local implementation ----------------------------------------------------------------------

  private regions(): string[] {
    return [...new Set(this.settings.zones.map(regionOf))];
  }

  private checkZone(project: string, zone: string): void {
    if (!/^[a-z][-a-z0-9]*$/.test(project)) throw invalid(`Invalid value for project: ${project}`);
    if (!this.settings.zones.includes(zone)) throw notFound(`projects/${project}/zones/${zone}`);
  }

  private later(ms: number, run: () => void): NodeJS.Timeout {
    const timer = setTimeout(() => {
      if (!this.stopped) run();
    }, ms);
    timer.unref?.();
    return timer;
  }

  private usage(project: string, region: string): Record<FakeQuotaMetric, number> {
    const used = Object.fromEntries(QUOTA_METRICS.map((metric) => [metric, 0])) as Record<FakeQuotaMetric, number>;
    for (const instance of this.instances.values()) {
      if (instance.project !== project || regionOf(instance.zone) !== region) continue;
      const terminated = instance.data.status === 'TERMINATED';
      for (const metric of QUOTA_METRICS) {
        // A stopped instance keeps its disks and its place, not its CPUs or address.
        if (terminated && (metric === 'CPUS' || metric === 'IN_USE_ADDRESSES')) continue;
        used[metric] += instance.uses[metric];
      }
    }
    return used;
  }

  private exceededQuota(project: string, zone: string, uses: Record<FakeQuotaMetric, number>): FakeQuotaMetric | undefined {
    const used = this.usage(project, regionOf(zone));
    return QUOTA_METRICS.find((metric) => uses[metric] > 0 && used[metric] + uses[metric] > this.settings.quotas[metric]);
  }

  private newOperation(project: string, zone: string, type: string, target: string, targetId: string): StoredOperation {
    const now = Date.now();
    const name = `operation-${now}-${randomBytes(7).toString('hex').slice(0, 13)}-${randomBytes(4).toString('hex')}-${randomBytes(4).toString('hex')}`;
    const data: Json = {
      kind: 'compute#operation',
      id: numericId(),
      name,
      zone: `${COMPUTE_BASE}projects/${project}/zones/${zone}`,
      operationType: type,
      targetLink: `${COMPUTE_BASE}projects/${project}/zones/${zone}/instances/${target}`,
      targetId,
      status: 'PENDING',
      user: 'nodepool@fake-gce.iam.gserviceaccount.com',
      progress: 0,
      insertTime: timestamp(now),
      selfLink: `${COMPUTE_BASE}projects/${project}/zones/${zone}/operations/${name}`,
    };
    const operation = { project, zone, data };
    this.operations.set(key(project, zone, name), operation);
    return operation;
  }

  private finishOperation(operation: StoredOperation, error?: Json): void {
    const now = timestamp(Date.now());
    operation.data.status = 'DONE';
    operation.data.progress = 100;
    operation.data.startTime ??= now;
    operation.data.endTime = now;
    if (error) {
      operation.data.error = { errors: [error] };
      operation.data.httpErrorStatusCode = error.code === 'QUOTA_EXCEEDED' ? 403 : 503;
      operation.data.httpErrorMessage = error.code === 'QUOTA_EXCEEDED' ? 'FORBIDDEN' : 'SERVICE UNAVAILABLE';
    }
  }

  private resolveMachineType(project: string, zone: string, value: unknown): FakeMachineType {
    const match = typeof value === 'string' ? /^(?:(?:https?:\/\/[^/]+\/compute\/v1\/)?projects\/([^/]+)\/)?zones\/([^/]+)\/machineTypes\/([^/]+)$/.exec(value) : null;
    if (!match) throw invalid(`Invalid value for field 'resource.machineType': '${String(value)}'. The URL is malformed.`);
    const [, typeProject, typeZone, name] = match;
    if ((typeProject && typeProject !== project) || typeZone !== zone) {
      throw invalid(`Invalid value for field 'resource.machineType': '${String(value)}'. Machine type must be in the same zone as the instance.`);
    }
    const type = this.settings.machineTypes.find((each) => each.name === name);
    if (!type) throw invalid(`Invalid value for field 'resource.machineType': '${String(value)}'. Machine type with name '${name}' does not exist in zone '${zone}'.`);
    return type;
  }

  private checkDisks(project: string, zone: string, value: unknown): { sizeGb: number; autoDelete: boolean }[] {
    if (!Array.isArray(value) || value.length === 0) throw invalid("Invalid value for field 'resource.disks': ''. Boot disk must be specified.");
    const disks = value as Json[];
    const boot = disks.filter((disk) => disk.boot === true);
    if (boot.length !== 1) throw invalid("Invalid value for field 'resource.disks': ''. Exactly one boot disk must be specified.");
    const params = (boot[0]!.initializeParams ?? {}) as Json;
    const image = this.resolveSourceImage(project, params.sourceImage);
    const diskType = params.diskType;
    if (diskType !== undefined) {
      const typeMatch = typeof diskType === 'string' ? /(?:^|\/)zones\/([^/]+)\/diskTypes\/([^/]+)$/.exec(diskType) : null;
      if (!typeMatch || typeMatch[1] !== zone || !['pd-standard', 'pd-balanced', 'pd-ssd', 'pd-extreme', 'hyperdisk-balanced'].includes(typeMatch[2]!)) {
        throw invalid(`Invalid value for field 'resource.disks[0].initializeParams.diskType': '${String(diskType)}'. Disk type does not exist in zone '${zone}'.`);
      }
    }
    const imageSize = image.diskSizeGb ?? 10;
    const sizeGb = params.diskSizeGb === undefined ? imageSize : Number(params.diskSizeGb);
    if (!Number.isInteger(sizeGb) || sizeGb <= 0) throw invalid(`Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '${String(params.diskSizeGb)}'.`);
    if (sizeGb < imageSize) throw invalid(`Invalid value for field 'resource.disks[0].initializeParams.diskSizeGb': '${sizeGb}'. Requested disk size cannot be smaller than the image size (${imageSize} GB).`);
    return [{ sizeGb, autoDelete: boot[0]!.autoDelete === true }];
  }

  /** A full or partial image URL, or an image family URL; a bare name is malformed, as in Compute. */
  private resolveSourceImage(project: string, value: unknown): FakeImageSpec {
    if (typeof value !== 'string' || value === '') throw invalid("Invalid value for field 'resource.disks[0].initializeParams.sourceImage': ''. Source image must be specified.");
    const match = /^(?:https?:\/\/[^/]+\/compute\/v1\/)?(?:projects\/([^/]+)\/)?global\/images\/(family\/)?([^/]+)$/.exec(value);
    if (!match) throw invalid(`Invalid value for field 'resource.disks[0].initializeParams.sourceImage': '${value}'. The URL is malformed.`);
    const [, imageProject = project, family, name] = match;
    const found = family ? this.getImageFromFamily(imageProject, name!) : this.getImage(imageProject, name!);
    return this.images.find((each) => each.project === imageProject && each.name === found.name)!;
  }

  private checkNetworkInterfaces(project: string, value: unknown): { nat: boolean; natName: string }[] {
    const nics = Array.isArray(value) && value.length > 0 ? (value as Json[]) : [{}];
    return nics.map((nic, index) => {
      const network = nic.network ?? 'global/networks/default';
      const match = typeof network === 'string' ? /(?:^|\/)global\/networks\/([^/]+)$/.exec(network) : null;
      if (!match) throw invalid(`Invalid value for field 'resource.networkInterfaces[${index}].network': '${String(network)}'. The URL is malformed.`);
      if (match[1] !== 'default') throw notFound(`projects/${project}/global/networks/${match[1]}`);
      const access = Array.isArray(nic.accessConfigs) ? (nic.accessConfigs as Json[]) : [];
      for (const config of access) {
        if (config.type !== undefined && config.type !== 'ONE_TO_ONE_NAT') throw invalid(`Invalid value for field 'resource.networkInterfaces[${index}].accessConfigs[0].type': '${String(config.type)}'.`);
      }
      return { nat: access.length > 0, natName: typeof access[0]?.name === 'string' ? access[0].name : 'External NAT' };
    });
  }

  private privateAddress(): string {
    const n = ++this.addressCounter + 1;
    return `10.128.${Math.floor(n / 250)}.${(n % 250) + 2}`;
  }

  private publicAddress(): string {
    if (this.settings.natAddress) return this.settings.natAddress;
    const n = this.addressCounter;
    return `34.72.${Math.floor(n / 250)}.${(n % 250) + 1}`;
  }

  private imageJson(image: FakeImageSpec): Json {
    const cacheKey = `${image.project}/${image.name}`;
    let data = this.imageData.get(cacheKey);
    if (!data) {
      data = {
        kind: 'compute#image',
        id: numericId(),
        creationTimestamp: timestamp(Date.now()),
        name: image.name,
        sourceType: 'RAW',
        status: 'READY',
        archiveSizeBytes: '1073741824',
        diskSizeGb: String(image.diskSizeGb ?? 10),
        ...(image.family ? { family: image.family } : {}),
        selfLink: `${COMPUTE_BASE}projects/${image.project}/global/images/${image.name}`,
        labelFingerprint: fingerprint(),
        ...(image.labels ? { labels: image.labels } : {}),
        architecture: 'X86_64',
      };
      this.imageData.set(cacheKey, data);
    }
    return image.deprecated ? { ...data, deprecated: { state: image.deprecated } } : data;
  }
}

function key(project: string, zone: string, name: string): string {
  return `${project}/${zone}/${name}`;
}

export function regionOf(zone: string): string {
  return zone.replace(/-[^-]*$/, '');
}

function notFound(path: string): ComputeError {
  return new ComputeError(404, 'notFound', `The resource '${path}' was not found`);
}

function invalid(message: string): ComputeError {
  return new ComputeError(400, 'invalid', message);
}

/** A uint64 ID as Compute writes it (a decimal string). */
function numericId(): string {
  return (BigInt(`0x${randomBytes(8).toString('hex')}`) >> 1n).toString();
}

function fingerprint(): string {
  return randomBytes(8).toString('base64');
}

/** RFC 3339 in Pacific time, as Compute prints its timestamps. */
function timestamp(ms: number): string {
  return new Date(ms - 8 * 3_600_000).toISOString().replace('Z', '-08:00');
}

function machineTypeData(project: string, zone: string, type: FakeMachineType): Json {
  return {
    kind: 'compute#machineType',
    id: String(1000 + DEFAULT_MACHINE_TYPES.findIndex((each) => each.name === type.name) + 1),
    creationTimestamp: '1969-12-31T16:00:00.000-08:00',
    name: type.name,
    description: type.description,
    guestCpus: type.guestCpus,
    memoryMb: type.memoryMb,
    imageSpaceGb: 0,
    maximumPersistentDisks: 128,
    maximumPersistentDisksSizeGb: '263168',
    zone,
    selfLink: `${COMPUTE_BASE}projects/${project}/zones/${zone}/machineTypes/${type.name}`,
    isSharedCpu: type.isSharedCpu ?? false,
    architecture: 'X86_64',
  };
}

function checkMetadata(value: unknown): { key: string; value: string }[] {
  if (value === undefined) return [];
  const items = (value as Json | null)?.items;
  if (items === undefined) return [];
  if (!Array.isArray(items)) throw invalid("Invalid value for field 'resource.metadata.items': ''.");
  const seen = new Set<string>();
  return (items as Json[]).map((item, index) => {
    if (typeof item.key !== 'string' || !/^[a-zA-Z0-9_-]{1,128}$/.test(item.key)) throw invalid(`Invalid value for field 'resource.metadata.items[${index}].key': '${String(item.key)}'. Must be a match of regex '[a-zA-Z0-9-_]{1,128}'`);
    if (seen.has(item.key)) throw invalid(`Invalid value for field 'resource.metadata': 'metadata.items[${index}].key'. Duplicate keys '${item.key}'.`);
    seen.add(item.key);
    return { key: item.key, value: typeof item.value === 'string' ? item.value : String(item.value ?? '') };
  });
}

function checkLabels(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  const labels = value as Record<string, unknown>;
  for (const [name, label] of Object.entries(labels)) {
    if (!/^[a-z][a-z0-9_-]{0,62}$/.test(name) || typeof label !== 'string' || !/^[a-z0-9_-]{0,63}$/.test(label)) {
      throw invalid(`Invalid value for field '${field}': ''. Label key and value must be of the form [a-z][a-z0-9_-]{0,62} and [a-z0-9_-]{0,63}: '${name}'.`);
    }
  }
  return labels as Record<string, string>;
}

function checkSettings(settings: FakeGceSettings): FakeGceSettings {
  for (const name of ['bootDelayMs', 'deleteDelayMs', 'latencyMs', 'ratePerSecond', 'tokenTtlS'] as const) {
    if (typeof settings[name] !== 'number' || !(settings[name] >= 0)) throw new FakeGceUsageError(`${name} must be a number >= 0`);
  }
  if (!Array.isArray(settings.zones) || settings.zones.length === 0 || !settings.zones.every((zone) => /^[a-z]+-[a-z]+\d+-[a-z]$/.test(zone))) {
    throw new FakeGceUsageError('zones must be zone names like us-central1-a');
  }
  for (const metric of Object.keys(settings.quotas)) {
    if (!(QUOTA_METRICS as readonly string[]).includes(metric)) throw new FakeGceUsageError(`unknown quota ${metric} (one of ${QUOTA_METRICS.join(', ')})`);
    const value = settings.quotas[metric as FakeQuotaMetric];
    if (typeof value !== 'number' || value < 0) throw new FakeGceUsageError(`quota ${metric} must be a number >= 0`);
  }
  return settings;
}
