import type { FakeIbmVpc } from './fake-ibmvpc.js';
import { OPERATING_SYSTEMS } from './fake-ibmvpc.js';
import { json, jsonBody, noContent, objectField, stringField, VPC_NAME, VpcError, type ApiRequest, type HttpReply } from './http-kit.js';
import { floatingIpView, imageView, instanceView, keyView, operatingSystemView, profileView, subnetView, vpcView, type ViewContext } from './vpc-views.js';

/** The first API version the VPC serves, and the one from which addresses are reserved-IP objects. */
const FIRST_VERSION = '2019-01-01';
const RESERVED_IP_VERSION = '2022-03-29';

/** A VPC API route: the operation's name (for counters and faults) and its handler. */
export interface VpcRoute {
  readonly operation: string;
  handle(fake: FakeIbmVpc, request: ApiRequest, context: ViewContext): HttpReply;
}

/** The route of `METHOD /v1/<segments>`; segments are below `/v1`. */
export function vpcRoute(method: string, segments: readonly string[]): VpcRoute {
  const [collection, id, sub, subId, subSub, subSubId] = segments;
  const route = (name: string, handle: VpcRoute['handle']): VpcRoute => ({ operation: `vpc.${method}.${name}`, handle });
  const unknown = route('unknown', () => {
    throw new VpcError(404, 'not_found', `The requested resource /v1/${segments.join('/')} was not found.`);
  });
  if (collection === 'instance' && id === 'profiles') {
    if (method === 'GET' && sub === undefined) return route('instance_profiles', listProfiles);
    if (method === 'GET' && subId === undefined && sub !== undefined) return route('instance_profile', (fake, request, context) => getProfile(context, sub));
    return unknown;
  }
  switch (collection) {
    case 'vpcs':
    case 'subnets':
    case 'keys':
    case 'images':
    case 'instances':
    case 'floating_ips': {
      const singular = collection === 'vpcs' ? 'vpc' : collection.replace(/s$/, '');
      if (id === undefined) {
        if (method === 'GET') return route(collection, (fake, request, context) => list(fake, request, context, collection));
        if (method === 'POST' && collection === 'instances') return route(collection, createInstance);
        if (method === 'POST' && collection === 'floating_ips') return route(collection, createFloatingIp);
        if (method === 'POST' && collection === 'images') return route(collection, createImage);
        return unknown;
      }
      if (sub === undefined) {
        if (method === 'GET') return route(singular, (fake, request, context) => get(fake, context, collection, id));
        if (method === 'DELETE' && collection === 'instances') return route(singular, (fake) => deleteInstance(fake, id));
        if (method === 'DELETE' && collection === 'floating_ips') return route(singular, (fake) => deleteFloatingIp(fake, id));
        if (method === 'DELETE' && collection === 'images') return route(singular, (fake) => deleteImage(fake, id));
        return unknown;
      }
      if (collection === 'instances' && sub === 'network_interfaces' && subId !== undefined && subSub === 'floating_ips' && subSubId !== undefined && method === 'PUT') {
        return route('instance_network_interface_floating_ip', (fake, request, context) => addFloatingIp(fake, context, id, subId, subSubId));
      }
      return unknown;
    }
    case 'operating_systems':
      if (method === 'GET' && id !== undefined) return route('operating_system', (fake, request, context) => json(operatingSystemView(context, id)));
      return unknown;
    default:
      return unknown;
  }
}

/**
 * The `version` and `generation` every VPC call must carry: a date from 2019-01-01 to today,
 * and generation 2. Returns whether the answer uses the addresses of versions before 2022-03-29.
 */
export function checkVersion(query: URLSearchParams, today: Date): boolean {
  const version = query.get('version');
  if (version === null) throw new VpcError(400, 'missing_version', 'The version query parameter is required.', { name: 'version', type: 'parameter' });
  const valid = /^\d{4}-\d{2}-\d{2}$/.test(version) && !Number.isNaN(Date.parse(`${version}T00:00:00Z`));
  if (!valid || version < FIRST_VERSION || version > today.toISOString().slice(0, 10)) {
    throw new VpcError(400, 'invalid_version', `The version ${version} is not valid: give a date (YYYY-MM-DD) between ${FIRST_VERSION} and today.`, { name: 'version', type: 'parameter' });
  }
  if (query.get('generation') !== '2') throw new VpcError(400, 'invalid_generation', 'This API serves generation 2 resources only: give generation=2.', { name: 'generation', type: 'parameter' });
  return version < RESERVED_IP_VERSION;
}

// ---- collections --------------------------------------------------------------------------------

/** A listing, newest first, paged by `limit` and an opaque `start` (the first ID of the page). */
function list(fake: FakeIbmVpc, request: ApiRequest, context: ViewContext, collection: string): HttpReply {
  fake.settle();
  const items: { id: string; createdAt: number; view: () => Record<string, unknown> }[] = (() => {
    switch (collection) {
      case 'vpcs':
        return fake.vpcs.map((vpc) => ({ id: vpc.id, createdAt: vpc.createdAt, view: () => vpcView(context, vpc) }));
      case 'subnets':
        return fake.subnets.map((subnet) => ({ id: subnet.id, createdAt: subnet.createdAt, view: () => subnetView(context, subnet) }));
      case 'keys':
        return fake.keys.map((key) => ({ id: key.id, createdAt: key.createdAt, view: () => keyView(context, key) }));
      case 'images':
        return fake.images.map((image) => ({ id: image.id, createdAt: image.createdAt, view: () => imageView(context, image) }));
      case 'instances':
        return fake.instances.map((instance) => ({ id: instance.id, createdAt: instance.createdAt, view: () => instanceView(context, instance) }));
      default:
        return fake.floatingIps.map((fip) => ({ id: fip.id, createdAt: fip.createdAt, view: () => floatingIpView(context, fip) }));
    }
  })().sort((a, b) => b.createdAt - a.createdAt || a.id.localeCompare(b.id));
  const maxPage = fake.settings().maxPageSize;
  const limitText = request.query.get('limit');
  const limit = limitText === null ? Math.min(50, maxPage) : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new VpcError(400, 'invalid_limit', `The limit ${limitText} must be an integer from 1 to 100.`, { name: 'limit', type: 'parameter' });
  const size = Math.min(limit, maxPage);
  const startText = request.query.get('start');
  let offset = 0;
  if (startText !== null) {
    offset = items.findIndex((item) => item.id === startText);
    if (offset < 0) throw new VpcError(400, 'invalid_start', `The start ${startText} does not name a page of this collection.`, { name: 'start', type: 'parameter' });
  }
  const page = items.slice(offset, offset + size);
  const next = items[offset + size];
  const url = `${context.root}/${collection}`;
  return json({
    first: { href: `${url}?limit=${limit}` },
    limit,
    ...(next ? { next: { href: `${url}?start=${next.id}&limit=${limit}` } } : {}),
    total_count: items.length,
    [collection]: page.map((item) => item.view()),
  });
}

function get(fake: FakeIbmVpc, context: ViewContext, collection: string, id: string): HttpReply {
  fake.settle();
  const found = (() => {
    switch (collection) {
      case 'vpcs':
        return fake.vpcs.find((vpc) => vpc.id === id) && vpcView(context, fake.vpcs.find((vpc) => vpc.id === id)!);
      case 'subnets': {
        const subnet = fake.subnets.find((candidate) => candidate.id === id);
        return subnet && subnetView(context, subnet);
      }
      case 'keys': {
        const key = fake.keys.find((candidate) => candidate.id === id);
        return key && keyView(context, key);
      }
      case 'images': {
        const image = fake.images.find((candidate) => candidate.id === id);
        return image && imageView(context, image);
      }
      case 'instances': {
        const instance = fake.instances.find((candidate) => candidate.id === id);
        return instance && instanceView(context, instance);
      }
      default: {
        const fip = fake.floatingIps.find((candidate) => candidate.id === id);
        return fip && floatingIpView(context, fip);
      }
    }
  })();
  if (!found) throw notFound(collection, id);
  return json(found);
}

function listProfiles(fake: FakeIbmVpc, _request: ApiRequest, context: ViewContext): HttpReply {
  return json({ first: { href: `${context.root}/instance/profiles` }, profiles: fake.settings().profiles.map((profile) => profileView(context, profile.name)), total_count: fake.settings().profiles.length });
}

function getProfile(context: ViewContext, name: string): HttpReply {
  const view = profileView(context, name);
  if (!view) throw new VpcError(404, 'instance_profile_not_found', `Instance profile ${name} not found.`, { name: 'name', type: 'parameter' });
  return json(view);
}

// ---- instances ----------------------------------------------------------------------------------

/** `POST /instances`, an instance by image: every reference checked as the VPC checks it. */
function createInstance(fake: FakeIbmVpc, request: ApiRequest, context: ViewContext): HttpReply {
  fake.settle();
  const body = jsonBody(request);
  const name = stringField(body, 'name');
  if (!VPC_NAME.test(name) || name.length > 63) throw invalidField('name', `The name ${name} is not a valid resource name.`);
  if (fake.instances.some((instance) => instance.name === name)) throw new VpcError(400, 'validation_unique_failed', `Provided name (${name}) is not unique.`, { name: 'name', type: 'field' });
  const profileName = stringField(objectField(body, 'profile')!, 'name', 'profile.name');
  if (!fake.settings().profiles.some((profile) => profile.name === profileName)) throw new VpcError(404, 'instance_profile_not_found', `Instance profile ${profileName} not found.`, { name: 'profile.name', type: 'field' });
  const zone = stringField(objectField(body, 'zone')!, 'name', 'zone.name');
  if (!fake.settings().zones.includes(zone)) throw new VpcError(400, 'validation_invalid_zone', `Zone ${zone} is not a zone of region ${fake.settings().region}.`, { name: 'zone.name', type: 'field' });
  const vpcIdValue = stringField(objectField(body, 'vpc')!, 'id', 'vpc.id');
  const vpc = fake.vpcs.find((candidate) => candidate.id === vpcIdValue);
  if (!vpc) throw new VpcError(404, 'vpc_not_found', `VPC ${vpcIdValue} not found.`, { name: 'vpc.id', type: 'field' });
  const nic = objectField(body, 'primary_network_interface')!;
  const subnetId = stringField(objectField(nic, 'subnet')!, 'id', 'primary_network_interface.subnet.id');
  const subnet = fake.subnets.find((candidate) => candidate.id === subnetId);
  if (!subnet) throw new VpcError(404, 'subnet_not_found', `Subnet ${subnetId} not found.`, { name: 'primary_network_interface.subnet.id', type: 'field' });
  if (subnet.vpcId !== vpc.id) throw invalidField('primary_network_interface.subnet.id', `Subnet ${subnet.name} is not in VPC ${vpc.name}.`);
  if (subnet.zone !== zone) throw invalidField('zone.name', `Subnet ${subnet.name} is in zone ${subnet.zone}, not ${zone}.`);
  const groupId = body.resource_group === undefined ? fake.resourceGroups.find((group) => group.default)!.id : stringField(objectField(body, 'resource_group')!, 'id', 'resource_group.id');
  if (!fake.groupById(groupId)) throw new VpcError(404, 'resource_group_not_found', `Resource group ${groupId} not found.`, { name: 'resource_group.id', type: 'field' });
  const imageRef = objectField(body, 'image')!;
  const { id: imageId, href: imageHref } = imageRef;
  const image =
    typeof imageId === 'string'
      ? fake.images.find((candidate) => candidate.id === imageId)
      : typeof imageHref === 'string'
        ? fake.images.find((candidate) => imageHref.endsWith(`/images/${candidate.id}`))
        : undefined;
  if (!image) throw new VpcError(404, 'image_not_found', `Image ${JSON.stringify(imageRef)} not found.`, { name: 'image', type: 'field' });
  if (image.status !== 'available') throw invalidField('image', `Image ${image.name} is ${image.status}, not available.`);
  const keyIds: string[] = [];
  if (body.keys !== undefined) {
    if (!Array.isArray(body.keys)) throw invalidField('keys', 'Expected a list of key identities.');
    for (const [index, key] of body.keys.entries()) {
      const id = (key as { id?: unknown } | null)?.id;
      if (typeof id !== 'string' || !fake.keys.some((candidate) => candidate.id === id)) throw new VpcError(404, 'key_not_found', `Key ${JSON.stringify(key)} not found.`, { name: `keys[${index}].id`, type: 'field' });
      keyIds.push(id);
    }
  }
  const volume = objectField(objectField(body, 'boot_volume_attachment', false) ?? {}, 'volume', false);
  if (body.user_data !== undefined && typeof body.user_data !== 'string') throw invalidField('user_data', 'Expected a string.');
  const instance = fake.createInstance({
    name,
    profile: profileName,
    imageId: image.id,
    zone,
    vpcId: vpc.id,
    subnetId: subnet.id,
    resourceGroupId: groupId,
    keyIds,
    userData: typeof body.user_data === 'string' ? body.user_data : null,
    bootVolumeName: typeof volume?.name === 'string' ? volume.name : `${name}-boot`,
  });
  // The answer always shows the instance as it was created: pending.
  return json({ ...instanceView(context, instance), status: 'pending', lifecycle_state: 'pending' }, 201);
}

function deleteInstance(fake: FakeIbmVpc, id: string): HttpReply {
  fake.settle();
  const instance = fake.instances.find((candidate) => candidate.id === id);
  if (!instance) throw notFound('instances', id);
  fake.deleteInstance(instance);
  return noContent();
}

// ---- floating IPs -------------------------------------------------------------------------------

function createFloatingIp(fake: FakeIbmVpc, request: ApiRequest, context: ViewContext): HttpReply {
  fake.settle();
  const body = jsonBody(request);
  const name = stringField(body, 'name');
  if (!VPC_NAME.test(name)) throw invalidField('name', `The name ${name} is not a valid resource name.`);
  if (fake.floatingIps.some((fip) => fip.name === name)) throw new VpcError(400, 'validation_unique_failed', `Provided name (${name}) is not unique.`, { name: 'name', type: 'field' });
  if (body.target !== undefined) throw invalidField('target', 'This fake reserves floating IPs by zone only.');
  const zone = stringField(objectField(body, 'zone')!, 'name', 'zone.name');
  if (!fake.settings().zones.includes(zone)) throw new VpcError(400, 'validation_invalid_zone', `Zone ${zone} is not a zone of region ${fake.settings().region}.`, { name: 'zone.name', type: 'field' });
  const groupId = body.resource_group === undefined ? fake.resourceGroups.find((group) => group.default)!.id : stringField(objectField(body, 'resource_group')!, 'id', 'resource_group.id');
  if (!fake.groupById(groupId)) throw new VpcError(404, 'resource_group_not_found', `Resource group ${groupId} not found.`, { name: 'resource_group.id', type: 'field' });
  return json(floatingIpView(context, fake.createFloatingIp(name, zone, groupId)), 201);
}

function deleteFloatingIp(fake: FakeIbmVpc, id: string): HttpReply {
  const index = fake.floatingIps.findIndex((fip) => fip.id === id);
  if (index < 0) throw notFound('floating_ips', id);
  // Releasing a floating IP unbinds it from its interface first.
  fake.floatingIps.splice(index, 1);
  return noContent();
}

/** `PUT /instances/{id}/network_interfaces/{nic}/floating_ips/{fip}`: binds the floating IP. */
function addFloatingIp(fake: FakeIbmVpc, context: ViewContext, instanceId: string, nicId: string, fipId: string): HttpReply {
  fake.settle();
  const instance = fake.instances.find((candidate) => candidate.id === instanceId);
  if (!instance) throw notFound('instances', instanceId);
  if (instance.networkInterfaceId !== nicId) throw new VpcError(404, 'network_interface_not_found', `Network interface ${nicId} not found on instance ${instance.name}.`);
  const fip = fake.floatingIps.find((candidate) => candidate.id === fipId);
  if (!fip) throw notFound('floating_ips', fipId);
  if (fip.zone !== instance.zone) throw new VpcError(400, 'floating_ip_zone_mismatch', `Floating IP ${fip.name} is in zone ${fip.zone}, the interface in ${instance.zone}.`);
  if (fip.status !== 'available') throw new VpcError(409, 'floating_ip_in_use', `Floating IP ${fip.name} is ${fip.status}.`);
  if (fip.targetNetworkInterfaceId !== null && fip.targetNetworkInterfaceId !== nicId) throw new VpcError(409, 'floating_ip_in_use', `Floating IP ${fip.name} is bound to another interface.`);
  if (fake.floatingIps.some((other) => other !== fip && other.targetNetworkInterfaceId === nicId)) throw new VpcError(409, 'network_interface_has_floating_ip', `Network interface ${nicId} has a floating IP already.`);
  fip.targetNetworkInterfaceId = nicId;
  return json(floatingIpView(context, fip), 201);
}

// ---- images -------------------------------------------------------------------------------------

function createImage(fake: FakeIbmVpc, request: ApiRequest, context: ViewContext): HttpReply {
  fake.settle();
  const body = jsonBody(request);
  const name = stringField(body, 'name');
  if (!VPC_NAME.test(name)) throw invalidField('name', `The name ${name} is not a valid resource name.`);
  if (fake.images.some((image) => image.name === name && image.visibility === 'private')) throw new VpcError(400, 'validation_unique_failed', `Provided name (${name}) is not unique.`, { name: 'name', type: 'field' });
  const href = stringField(objectField(body, 'file')!, 'href', 'file.href');
  const os = stringField(objectField(body, 'operating_system')!, 'name', 'operating_system.name');
  if (!OPERATING_SYSTEMS.some((candidate) => candidate.name === os)) throw new VpcError(404, 'operating_system_not_found', `Operating system ${os} not found.`, { name: 'operating_system.name', type: 'field' });
  const groupId = body.resource_group === undefined ? fake.resourceGroups.find((group) => group.default)!.id : stringField(objectField(body, 'resource_group')!, 'id', 'resource_group.id');
  if (!fake.groupById(groupId)) throw new VpcError(404, 'resource_group_not_found', `Resource group ${groupId} not found.`, { name: 'resource_group.id', type: 'field' });
  const image = fake.createImage(name, href, os, groupId);
  return json({ ...imageView(context, image), status: 'pending' }, 201);
}

function deleteImage(fake: FakeIbmVpc, id: string): HttpReply {
  const index = fake.images.findIndex((image) => image.id === id);
  if (index < 0) throw notFound('images', id);
  if (fake.images[index]!.visibility === 'public') throw new VpcError(403, 'forbidden', 'Public images cannot be deleted.');
  if (fake.instances.some((instance) => instance.imageId === id && instance.status === 'pending')) throw new VpcError(409, 'image_in_use', `Image ${id} is being provisioned from.`);
  fake.images.splice(index, 1);
  return { status: 202, headers: { 'Content-Type': 'application/json' }, body: '' };
}

function notFound(collection: string, id: string): VpcError {
  const kind = collection === 'vpcs' ? 'vpc' : collection.replace(/s$/, '');
  return new VpcError(404, `${kind}_not_found`, `${kind.replace('_', ' ')} not found: ${id}`, { name: 'id', type: 'parameter' });
}

function invalidField(name: string, message: string): VpcError {
  return new VpcError(400, 'validation_invalid_argument', message, { name, type: 'field' });
}
