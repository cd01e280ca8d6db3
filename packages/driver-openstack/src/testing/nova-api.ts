import { randomBytes } from 'node:crypto';
import type { FakeOpenStack, ServerSpec } from './fake-openstack.js';
import { serverNotFound } from './fake-openstack.js';
import type { FakeServer } from './fake-openstack-types.js';
import type { FakeFlavor } from './fake-openstack-settings.js';
import { ApiError, isoMicros, isoSeconds, json, jsonBody, member, noContent, page, type ApiRequest, type HttpReply } from './http-kit.js';
import { compareMicroversions, formatMicroversion, microversionHeaders, parseMicroversion, requestedMicroversion, type Microversion } from './microversion.js';

const MIN: Microversion = [2, 1];

/** Keys of a create-server request Nova's schema knows; anything else is refused, as Nova does. */
const SERVER_CREATE_KEYS = new Set([
  'name', 'imageRef', 'flavorRef', 'networks', 'security_groups', 'key_name', 'availability_zone', 'metadata', 'user_data', 'config_drive',
  'block_device_mapping_v2', 'block_device_mapping', 'min_count', 'max_count', 'return_reservation_id', 'OS-DCF:diskConfig', 'description',
  'accessIPv4', 'accessIPv6', 'adminPass', 'tags', 'trusted_image_certificates', 'host', 'hypervisor_hostname', 'personality', 'hostname',
]);

/** Nova's error body keys by status. */
const FAULT_NAMES: Record<number, string> = {
  400: 'badRequest', 401: 'unauthorized', 403: 'forbidden', 404: 'itemNotFound', 405: 'badMethod', 406: 'notAcceptable',
  409: 'conflictingRequest', 413: 'overLimit', 429: 'overLimit', 501: 'notImplemented', 503: 'serviceUnavailable',
};

/** Nova's (and Cinder's) error body: `{"itemNotFound": {"message", "code"}}`. */
export function novaErrorBody(status: number, message: string, retryAfterS?: number): unknown {
  return { [FAULT_NAMES[status] ?? 'computeFault']: { message, code: status, ...(retryAfterS === undefined ? {} : { retryAfter: String(retryAfterS) }) } };
}

const atLeast = (version: Microversion, text: string): boolean => compareMicroversions(version, parseMicroversion(text)!) >= 0;

function versionEntry(base: string, max: string) {
  return {
    id: 'v2.1',
    status: 'CURRENT',
    version: max,
    min_version: formatMicroversion(MIN),
    updated: '2013-07-23T11:33:21Z',
    links: [{ rel: 'self', href: `${base}/compute/v2.1/` }],
  };
}

/**
 * Nova's API: version discovery, servers (create, list, show, delete, console output), flavors,
 * limits, availability zones and keypairs, each answer shaped by the microversion asked for.
 */
export function novaApi(fake: FakeOpenStack, request: ApiRequest): HttpReply {
  const settings = fake.settings();
  const max = parseMicroversion(settings.computeMaxMicroversion)!;
  const [version, ...rest] = request.segments;
  if (version === undefined) {
    return json({
      versions: [
        { id: 'v2.0', status: 'SUPPORTED', version: '', min_version: '', updated: '2011-01-21T11:33:21Z', links: [{ rel: 'self', href: `${request.base}/compute/v2/` }] },
        versionEntry(request.base, settings.computeMaxMicroversion),
      ],
    });
  }
  if (version !== 'v2.1') throw new ApiError(404, 'The resource could not be found.');
  if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) {
    return json({
      version: {
        ...versionEntry(request.base, settings.computeMaxMicroversion),
        links: [
          { rel: 'self', href: `${request.base}/compute/v2.1/` },
          { rel: 'describedby', type: 'text/html', href: 'http://docs.openstack.org/' },
        ],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
      },
    });
  }
  const mv = requestedMicroversion(request.headers, { service: 'compute', legacyHeader: 'x-openstack-nova-api-version', min: MIN, max });
  const reply = route(fake, request, rest, mv);
  return { ...reply, headers: { ...reply.headers, ...microversionHeaders('compute', 'X-OpenStack-Nova-API-Version', mv) } };
}

function route(fake: FakeOpenStack, request: ApiRequest, path: readonly string[], mv: Microversion): HttpReply {
  const { method } = request;
  const [collection, id, sub] = path;
  fake.refresh();
  switch (collection) {
    case 'servers':
      if (id === undefined && method === 'GET') return listServers(fake, request, mv, false);
      if (id === 'detail' && method === 'GET') return listServers(fake, request, mv, true);
      if (id === undefined && method === 'POST') return createServer(fake, request, mv);
      if (id !== undefined) {
        const server = fake.servers.get(id);
        if (!server) throw serverNotFound(id);
        if (sub === undefined && method === 'GET') return json({ server: renderServer(fake, server, request.base, mv) });
        if (sub === undefined && method === 'DELETE') {
          fake.deleteServer(id);
          return noContent();
        }
        if (sub === 'action' && method === 'POST') return serverAction(fake, server, request);
        if (sub === 'metadata' && method === 'GET') return json({ metadata: server.metadata });
      }
      break;
    case 'flavors': {
      const flavors = fake.settings().flavors;
      if (id === undefined && method === 'GET') return json(flavorPage(flavors, request, mv, false));
      if (id === 'detail' && method === 'GET') return json(flavorPage(flavors, request, mv, true));
      const flavor = flavors.find((candidate) => candidate.id === id);
      if (!flavor) throw new ApiError(404, `Flavor ${id ?? ''} could not be found.`);
      if (sub === undefined && method === 'GET') return json({ flavor: renderFlavor(flavor, request.base, mv, true) });
      if (sub === 'os-extra_specs' && method === 'GET') return json({ extra_specs: {} });
      break;
    }
    case 'limits':
      if (method === 'GET') return json({ limits: renderLimits(fake, mv) });
      break;
    case 'os-availability-zone':
      if (method === 'GET' && (id === undefined || id === 'detail')) {
        return json({ availabilityZoneInfo: fake.settings().zones.map((zoneName) => ({ zoneName, zoneState: { available: true }, hosts: null })) });
      }
      break;
    case 'os-keypairs':
      return keypairs(fake, request, mv, id);
    case 'extensions':
      if (method === 'GET' && id === undefined) return json({ extensions: [] });
      break;
  }
  throw new ApiError(404, 'The resource could not be found.');
}

// ---- servers ---------------------------------------------------------------------------------

function listServers(fake: FakeOpenStack, request: ApiRequest, mv: Microversion, detail: boolean): HttpReply {
  const { query } = request;
  let servers = [...fake.servers.values()];
  const status = query.get('status');
  if (status !== null) servers = servers.filter((server) => server.status === status.toUpperCase());
  const name = query.get('name');
  if (name !== null) {
    const pattern = new RegExp(name);
    servers = servers.filter((server) => pattern.test(server.name));
  }
  // Nova lists the newest first.
  servers.sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const { items, more } = page(servers, query, fake.settings().maxPageSize);
  const path = detail ? 'servers/detail' : 'servers';
  const body: Record<string, unknown> = {
    servers: items.map((server) => (detail ? renderServer(fake, server, request.base, mv) : { id: server.id, name: server.name, links: links(request.base, 'servers', server.id) })),
  };
  if (more) {
    const next = new URLSearchParams(query);
    next.set('marker', items.at(-1)!.id);
    if (!next.has('limit')) next.set('limit', String(items.length));
    body.servers_links = [{ rel: 'next', href: `${request.base}/compute/v2.1/${path}?${next}` }];
  }
  return json(body);
}

function links(base: string, collection: string, id: string) {
  return [
    { rel: 'self', href: `${base}/compute/v2.1/${collection}/${id}` },
    { rel: 'bookmark', href: `${base}/compute/${collection}/${id}` },
  ];
}

/** A server as `GET /servers/detail` shows it at microversion `mv`. */
function renderServer(fake: FakeOpenStack, server: FakeServer, base: string, mv: Microversion): Record<string, unknown> {
  const flavor = fake.flavor(server.flavorId);
  const vmState = server.status === 'BUILD' ? 'building' : server.status === 'ERROR' ? 'error' : 'active';
  const taskState = server.deleting ? 'deleting' : server.status === 'BUILD' ? 'spawning' : null;
  const launched = server.status === 'ACTIVE' ? isoMicros(server.updatedAt).replace('Z', '') : null;
  const rendered: Record<string, unknown> = {
    id: server.id,
    name: server.name,
    status: server.status,
    tenant_id: server.projectId,
    user_id: '9f8e7d6c5b4a40392817f6e5d4c3b2a1',
    metadata: server.metadata,
    hostId: server.status === 'BUILD' ? '' : server.hostId,
    image: server.imageId === null ? '' : { id: server.imageId, links: [{ rel: 'bookmark', href: `${base}/compute/images/${server.imageId}` }] },
    flavor: atLeast(mv, '2.47')
      ? { vcpus: flavor?.vcpus ?? 0, ram: flavor?.ram ?? 0, disk: flavor?.disk ?? 0, ephemeral: 0, swap: 0, original_name: flavor?.name ?? server.flavorId, extra_specs: {} }
      : { id: server.flavorId, links: [{ rel: 'bookmark', href: `${base}/compute/flavors/${server.flavorId}` }] },
    created: isoSeconds(server.createdAt),
    updated: isoSeconds(server.updatedAt),
    addresses: fake.addresses(server),
    accessIPv4: '',
    accessIPv6: '',
    links: links(base, 'servers', server.id),
    'OS-DCF:diskConfig': 'MANUAL',
    'OS-EXT-AZ:availability_zone': server.status === 'BUILD' ? '' : server.az,
    config_drive: server.configDrive ? 'True' : '',
    key_name: server.keyName,
    'OS-SRV-USG:launched_at': launched,
    'OS-SRV-USG:terminated_at': null,
    'OS-EXT-STS:task_state': taskState,
    'OS-EXT-STS:vm_state': vmState,
    'OS-EXT-STS:power_state': server.status === 'ACTIVE' ? 1 : 0,
    'os-extended-volumes:volumes_attached': server.volumes.map((volume) => (atLeast(mv, '2.3') ? { id: volume.id, delete_on_termination: volume.deleteOnTermination } : { id: volume.id })),
  };
  if (server.status !== 'ERROR') rendered.progress = 0;
  if (server.status === 'ACTIVE') rendered.security_groups = server.securityGroups.map((name) => ({ name }));
  if (atLeast(mv, '2.9')) rendered.locked = false;
  if (atLeast(mv, '2.19')) rendered.description = null;
  if (atLeast(mv, '2.26')) rendered.tags = [];
  if (atLeast(mv, '2.63')) rendered.trusted_image_certificates = null;
  if (atLeast(mv, '2.73')) rendered.locked_reason = null;
  if (server.fault) rendered.fault = server.fault;
  return rendered;
}

function createServer(fake: FakeOpenStack, request: ApiRequest, mv: Microversion): HttpReply {
  const body = jsonBody(request);
  const server = member(body, 'server');
  for (const key of Object.keys(server)) {
    if (!SERVER_CREATE_KEYS.has(key)) throw new ApiError(400, `Invalid input for field/attribute server. Value: ${JSON.stringify(server)}. Additional properties are not allowed ('${key}' was unexpected)`);
  }
  const text = (key: string, required: boolean): string | null => {
    const value = server[key];
    if (value === undefined || value === null) {
      if (required) throw new ApiError(400, `Invalid input for field/attribute server. Value: ${JSON.stringify(server)}. '${key}' is a required property`);
      return null;
    }
    if (typeof value !== 'string') throw new ApiError(400, `Invalid input for field/attribute ${key}. Value: ${JSON.stringify(value)}. ${JSON.stringify(value)} is not of type 'string'`);
    return value;
  };
  const name = text('name', true)!;
  const flavorId = (text('flavorRef', true) ?? '').replace(/^.*\//, '');
  const metadata = server.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Array.isArray(metadata)) throw new ApiError(400, `Invalid input for field/attribute metadata. Value: ${JSON.stringify(metadata)}. ${JSON.stringify(metadata)} is not of type 'object'`);
  for (const [key, value] of Object.entries(metadata as Record<string, unknown>)) {
    if (typeof value !== 'string') throw new ApiError(400, `Invalid input for field/attribute metadata. Value: ${JSON.stringify(metadata)}. ${JSON.stringify(value)} is not of type 'string'`);
    if (key.length === 0 || key.length > 255 || value.length > 255) throw new ApiError(400, `Invalid input for field/attribute metadata. Value: ${JSON.stringify(metadata)}. Keys and values must be 1 to 255 characters`);
  }
  const securityGroups = server.security_groups === undefined ? [] : server.security_groups;
  if (!Array.isArray(securityGroups)) throw new ApiError(400, `Invalid input for field/attribute security_groups. Value: ${JSON.stringify(securityGroups)}. It is not of type 'array'`);
  const groupNames = securityGroups.map((group: unknown) => {
    const groupName = (group as { name?: unknown } | null)?.name;
    if (typeof groupName !== 'string') throw new ApiError(400, `Invalid input for field/attribute security_groups. Value: ${JSON.stringify(securityGroups)}. 'name' is a required property`);
    return groupName;
  });
  const userData = text('user_data', false);
  if (userData !== null && !/^[A-Za-z0-9+/]*={0,2}$/.test(userData)) throw new ApiError(400, 'User data needs to be valid base 64.');
  const configDrive = server.config_drive === true || (typeof server.config_drive === 'string' && ['true', 'yes', '1', 'on'].includes(server.config_drive.toLowerCase()));

  const networks = readNetworks(server.networks, mv);
  const bootVolume = readBootVolume(fake, server.block_device_mapping_v2);
  let imageId = text('imageRef', false);
  if (imageId === '') imageId = null;
  if (imageId !== null) imageId = imageId.replace(/^.*\//, '');
  if (bootVolume === null) {
    if (imageId === null) throw new ApiError(400, 'Block Device Mapping is Invalid: You specified more local devices than the limit allows');
    const image = fake.images.get(imageId);
    if (!image) throw new ApiError(400, `Image ${imageId} could not be found.`);
    if (image.status !== 'active') throw new ApiError(400, `Image ${imageId} is not active.`);
  }
  const spec: ServerSpec = {
    name,
    flavorId,
    imageId: bootVolume ? bootVolume.imageId : imageId,
    keyName: text('key_name', false),
    az: text('availability_zone', false),
    metadata: metadata as Record<string, string>,
    securityGroups: groupNames,
    userData,
    configDrive,
    networks,
    bootVolume,
  };
  const created = fake.createServer(spec);
  const reply = {
    server: {
      id: created.id,
      links: links(request.base, 'servers', created.id),
      'OS-DCF:diskConfig': 'MANUAL',
      security_groups: created.securityGroups.map((group) => ({ name: group })),
      adminPass: randomBytes(9).toString('base64url'),
    },
  };
  return json(reply, 202, { Location: `${request.base}/compute/v2.1/servers/${created.id}` });
}

function readNetworks(value: unknown, mv: Microversion): ServerSpec['networks'] {
  if (value === undefined) {
    if (atLeast(mv, '2.37')) throw new ApiError(400, "Invalid input for field/attribute server. Value: {...}. 'networks' is a required property");
    return 'auto';
  }
  if (value === 'auto' || value === 'none') {
    if (!atLeast(mv, '2.37')) throw new ApiError(400, `Invalid input for field/attribute networks. Value: ${JSON.stringify(value)}. '${value}' is not of type 'array'`);
    return value;
  }
  if (!Array.isArray(value)) throw new ApiError(400, `Invalid input for field/attribute networks. Value: ${JSON.stringify(value)}. It is not valid`);
  return value.map((entry: unknown) => {
    const uuid = (entry as { uuid?: unknown } | null)?.uuid;
    if (typeof uuid !== 'string') throw new ApiError(400, 'Bad networks format: network uuid is not in proper format (no uuid given)');
    return uuid;
  });
}

function readBootVolume(fake: FakeOpenStack, value: unknown): ServerSpec['bootVolume'] {
  if (value === undefined) return null;
  if (!Array.isArray(value)) throw new ApiError(400, `Invalid input for field/attribute block_device_mapping_v2. Value: ${JSON.stringify(value)}. It is not of type 'array'`);
  const root = value.find((entry: Record<string, unknown>) => String(entry?.boot_index) === '0') as Record<string, unknown> | undefined;
  if (!root) return null;
  if (root.source_type !== 'image' || root.destination_type !== 'volume') throw new ApiError(400, 'Block Device Mapping is Invalid: this fake boots from a volume made from an image only.');
  const imageId = String(root.uuid ?? '');
  const image = fake.images.get(imageId);
  if (!image || image.status !== 'active') throw new ApiError(400, `Block Device Mapping is Invalid: failed to get image ${imageId}.`);
  const size = Number(root.volume_size);
  if (!Number.isInteger(size) || size < 1) throw new ApiError(400, 'Block Device Mapping is Invalid: Boot sequence for the instance and image/block device mapping combination is not valid.');
  return { imageId, size, deleteOnTermination: root.delete_on_termination === true || String(root.delete_on_termination).toLowerCase() === 'true' };
}

function serverAction(fake: FakeOpenStack, server: FakeServer, request: ApiRequest): HttpReply {
  const body = jsonBody(request);
  if ('os-getConsoleOutput' in body) {
    if (server.status === 'BUILD') throw new ApiError(409, `Cannot 'get_console_output' instance ${server.id} while it is in vm_state building`);
    const options = body['os-getConsoleOutput'];
    const length = (options as { length?: unknown } | null)?.length;
    let lines = fake.settings().consoleOutput.split('\n');
    if (length !== undefined && length !== null) {
      const count = Number(length);
      if (!Number.isInteger(count) || count < -1) throw new ApiError(400, `Invalid input for field/attribute length. Value: ${String(length)}.`);
      if (count >= 0) lines = lines.slice(-count || lines.length);
    }
    return json({ output: lines.join('\n') });
  }
  throw new ApiError(400, `There is no such action: ${Object.keys(body)[0] ?? ''}`);
}

// ---- flavors, limits, keypairs ----------------------------------------------------------------

function renderFlavor(flavor: FakeFlavor, base: string, mv: Microversion, detail: boolean): Record<string, unknown> {
  const rendered: Record<string, unknown> = { id: flavor.id, name: flavor.name, links: links(base, 'flavors', flavor.id) };
  if (detail) {
    Object.assign(rendered, {
      ram: flavor.ram,
      disk: flavor.disk,
      vcpus: flavor.vcpus,
      'OS-FLV-EXT-DATA:ephemeral': 0,
      'OS-FLV-DISABLED:disabled': false,
      'os-flavor-access:is_public': true,
      rxtx_factor: 1.0,
      swap: atLeast(mv, '2.75') ? 0 : '',
    });
    if (atLeast(mv, '2.61')) rendered.extra_specs = {};
  }
  if (atLeast(mv, '2.55')) rendered.description = null;
  return rendered;
}

function flavorPage(flavors: readonly FakeFlavor[], request: ApiRequest, mv: Microversion, detail: boolean): unknown {
  const sorted = [...flavors].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const { items } = page(sorted, request.query);
  return { flavors: items.map((flavor) => renderFlavor(flavor, request.base, mv, detail)) };
}

function renderLimits(fake: FakeOpenStack, mv: Microversion): unknown {
  const { quotas } = fake.settings();
  const used = fake.usage();
  const absolute: Record<string, number> = {
    maxServerMeta: 128,
    maxImageMeta: 128,
    maxTotalKeypairs: 100,
    maxServerGroups: 10,
    maxServerGroupMembers: 10,
    maxTotalCores: quotas.cores,
    maxTotalInstances: quotas.instances,
    maxTotalRAMSize: quotas.ram,
    totalCoresUsed: used.cores,
    totalInstancesUsed: used.instances,
    totalRAMUsed: used.ram,
    totalServerGroupsUsed: 0,
  };
  if (!atLeast(mv, '2.36')) {
    Object.assign(absolute, { maxSecurityGroupRules: 20, maxSecurityGroups: 10, maxTotalFloatingIps: quotas.floatingips, totalFloatingIpsUsed: used.floatingips, totalSecurityGroupsUsed: 1 });
  }
  if (!atLeast(mv, '2.57')) Object.assign(absolute, { maxPersonality: 5, maxPersonalitySize: 10240 });
  return { rate: [], absolute };
}

function keypairs(fake: FakeOpenStack, request: ApiRequest, mv: Microversion, name: string | undefined): HttpReply {
  const render = (keypair: { name: string; publicKey: string; fingerprint: string }) => ({
    name: keypair.name,
    public_key: keypair.publicKey,
    fingerprint: keypair.fingerprint,
    ...(atLeast(mv, '2.2') ? { type: 'ssh' } : {}),
  });
  if (name === undefined && request.method === 'GET') return json({ keypairs: [...fake.keypairs.values()].map((keypair) => ({ keypair: render(keypair) })) });
  if (name === undefined && request.method === 'POST') {
    const keypair = member(jsonBody(request), 'keypair');
    if (typeof keypair.name !== 'string' || keypair.name === '') throw new ApiError(400, "Invalid input for field/attribute keypair. 'name' is a required property");
    const created = fake.addKeypair({ name: keypair.name, ...(typeof keypair.public_key === 'string' ? { publicKey: keypair.public_key } : {}) });
    return json({ keypair: { ...render(created), user_id: '9f8e7d6c5b4a40392817f6e5d4c3b2a1' } }, atLeast(mv, '2.2') ? 201 : 200);
  }
  if (name !== undefined) {
    const keypair = fake.keypairs.get(decodeURIComponent(name));
    if (!keypair) throw new ApiError(404, `Keypair ${name} not found for user 9f8e7d6c5b4a40392817f6e5d4c3b2a1`);
    if (request.method === 'GET') return json({ keypair: render(keypair) });
    if (request.method === 'DELETE') {
      fake.keypairs.delete(keypair.name);
      return noContent(atLeast(mv, '2.2') ? 204 : 202);
    }
  }
  throw new ApiError(404, 'The resource could not be found.');
}
