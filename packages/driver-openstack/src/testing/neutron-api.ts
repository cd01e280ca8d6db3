import type { FakeOpenStack } from './fake-openstack.js';
import type { FakeFloatingIp, FakeNetwork, FakePort, FakeRouter, FakeSecurityGroup, FakeSubnet } from './fake-openstack-types.js';
import { ApiError, filterByQuery, isoSeconds, json, jsonBody, member, noContent, page, selectFields, type ApiRequest, type HttpReply } from './http-kit.js';

/** Neutron's error body: `{"NeutronError": {"type", "message", "detail"}}`. */
export function neutronErrorBody(status: number, message: string, type?: string): unknown {
  const types: Record<number, string> = { 400: 'HTTPBadRequest', 401: 'HTTPUnauthorized', 403: 'HTTPForbidden', 404: 'HTTPNotFound', 409: 'HTTPConflict', 413: 'OverLimit', 429: 'HTTPTooManyRequests', 503: 'ServiceUnavailable' };
  return { NeutronError: { type: type ?? types[status] ?? 'HTTPInternalServerError', message, detail: '' } };
}

const EXTENSIONS = ['agent', 'allowed-address-pairs', 'binding', 'external-net', 'extra_dhcp_opt', 'extraroute', 'fip-port-details', 'network_availability_zone', 'port-security', 'quotas', 'router', 'security-group', 'standard-attr-description', 'standard-attr-revisions', 'standard-attr-tag', 'standard-attr-timestamp', 'subnet_allocation'];

/** Neutron's message and error type for a missing resource of each collection. */
const NOT_FOUND: Readonly<Record<string, readonly [(id: string) => string, string]>> = {
  network: [(id) => `Network ${id} could not be found.`, 'NetworkNotFound'],
  subnet: [(id) => `Subnet ${id} could not be found.`, 'SubnetNotFound'],
  port: [(id) => `Port ${id} could not be found.`, 'PortNotFound'],
  router: [(id) => `Router ${id} could not be found`, 'RouterNotFound'],
  security_group: [(id) => `Security group ${id} does not exist`, 'SecurityGroupNotFound'],
  floatingip: [(id) => `Floating IP ${id} could not be found`, 'FloatingIPNotFound'],
};

/** What the fake renders an epoch for (Neutron's timestamps have no fraction). */
const STAMP = isoSeconds(Date.UTC(2024, 0, 1));

/**
 * Neutron's API (v2.0): version discovery, extensions, networks, subnets, routers and security
 * groups (read), ports (list, show, create, delete) and floating IPs (list, show, create,
 * associate or disassociate, delete), with Neutron's filters, `fields` and paging.
 */
export function neutronApi(fake: FakeOpenStack, request: ApiRequest): HttpReply {
  const [version, rawCollection, rawId, ...more] = request.segments;
  if (version === undefined) return json({ versions: [{ id: 'v2.0', status: 'CURRENT', links: [{ href: `${request.base}/network/v2.0/`, rel: 'self' }] }] });
  if (version !== 'v2.0') throw new ApiError(404, 'The resource could not be found.');
  fake.refresh();
  const strip = (text: string | undefined) => text?.replace(/\.json$/, '');
  const collection = strip(rawCollection);
  const id = strip(rawId);
  if (collection === undefined || collection === '') return json({ resources: ['networks', 'subnets', 'ports', 'floatingips', 'routers', 'security-groups'].map((name) => ({ name, collection: name, links: [{ href: `${request.base}/network/v2.0/${name}`, rel: 'self' }] })) });
  if (more.length > 0) throw new ApiError(404, 'The resource could not be found.');
  const { method } = request;
  switch (collection) {
    case 'extensions':
      return json({ extensions: EXTENSIONS.map((alias) => ({ alias, name: alias, description: alias, links: [], updated: '2013-01-01T00:00:00-00:00' })) });
    case 'networks':
      return readOnly(request, 'networks', 'network', [...fake.networks.values()].map((network) => renderNetwork(fake, network)), id);
    case 'subnets':
      return readOnly(request, 'subnets', 'subnet', [...fake.subnets.values()].map((subnet) => renderSubnet(fake, subnet)), id);
    case 'routers':
      return readOnly(request, 'routers', 'router', [...fake.routers.values()].map((router) => renderRouter(fake, router)), id);
    case 'security-groups':
      return readOnly(request, 'security_groups', 'security_group', [...fake.securityGroups.values()].map((group) => renderSecurityGroup(fake, group)), id);
    case 'ports':
      if (method === 'GET') return readOnly(request, 'ports', 'port', [...fake.ports.values()].map((port) => renderPort(fake, port)), id);
      if (method === 'POST' && id === undefined) {
        const port = member(jsonBody(request), 'port');
        if (typeof port.network_id !== 'string') throw new ApiError(400, "Invalid input for operation: 'network_id' is required.", 'HTTPBadRequest');
        if (!fake.networks.has(port.network_id)) throw new ApiError(404, `Network ${port.network_id} could not be found.`, 'NetworkNotFound');
        const created = fake.createPort({ networkId: port.network_id, name: typeof port.name === 'string' ? port.name : '', deviceId: typeof port.device_id === 'string' ? port.device_id : '', deviceOwner: typeof port.device_owner === 'string' ? port.device_owner : '' });
        return json({ port: renderPort(fake, created) }, 201);
      }
      if (method === 'DELETE' && id !== undefined) {
        fake.removePort(id);
        return noContent();
      }
      break;
    case 'floatingips':
      return floatingIps(fake, request, id);
  }
  throw new ApiError(404, 'The resource could not be found.');
}

function readOnly(request: ApiRequest, plural: string, singular: string, items: Record<string, unknown>[], id: string | undefined): HttpReply {
  if (request.method !== 'GET') throw new ApiError(405, `The method ${request.method} is not allowed here.`, 'HTTPMethodNotAllowed');
  if (id !== undefined) {
    const item = items.find((candidate) => candidate.id === id);
    if (!item) {
      const [message, type] = NOT_FOUND[singular] ?? [(missing: string) => `${singular} ${missing} could not be found.`, 'HTTPNotFound'];
      throw new ApiError(404, message(id), type);
    }
    return json({ [singular]: selectFields(item, request.query) });
  }
  const filtered = filterByQuery(items, request.query) as (Record<string, unknown> & { id: string })[];
  const { items: slice, more } = page(filtered, request.query);
  const body: Record<string, unknown> = { [plural]: slice.map((item) => selectFields(item, request.query)) };
  if (more) {
    const next = new URLSearchParams(request.query);
    next.set('marker', slice.at(-1)!.id);
    body[`${plural}_links`] = [{ rel: 'next', href: `${request.base}/network/v2.0/${plural.replace(/_/g, '-')}?${next}` }];
  }
  return json(body);
}

function floatingIps(fake: FakeOpenStack, request: ApiRequest, id: string | undefined): HttpReply {
  const { method } = request;
  if (method === 'GET') return readOnly(request, 'floatingips', 'floatingip', [...fake.floatingIps.values()].map((fip) => renderFloatingIp(fake, fip)), id);
  if (method === 'POST' && id === undefined) {
    const body = member(jsonBody(request), 'floatingip');
    if (typeof body.floating_network_id !== 'string') throw new ApiError(400, "Invalid input for operation: 'floating_network_id' is required.", 'HTTPBadRequest');
    const created = fake.createFloatingIp({
      networkId: body.floating_network_id,
      portId: typeof body.port_id === 'string' ? body.port_id : null,
      fixedIpAddress: typeof body.fixed_ip_address === 'string' ? body.fixed_ip_address : null,
      description: typeof body.description === 'string' ? body.description : '',
      ...(typeof body.floating_ip_address === 'string' ? { address: body.floating_ip_address } : {}),
    });
    return json({ floatingip: renderFloatingIp(fake, created) }, 201);
  }
  if (method === 'PUT' && id !== undefined) {
    const body = member(jsonBody(request), 'floatingip');
    if (!('port_id' in body)) throw new ApiError(400, 'Invalid input for operation: nothing to update.', 'HTTPBadRequest');
    const portId = typeof body.port_id === 'string' ? body.port_id : null;
    const updated = fake.associateFloatingIp(id, portId, typeof body.fixed_ip_address === 'string' ? body.fixed_ip_address : null);
    return json({ floatingip: renderFloatingIp(fake, updated) });
  }
  if (method === 'DELETE' && id !== undefined) {
    fake.deleteFloatingIp(id);
    return noContent();
  }
  throw new ApiError(404, 'The resource could not be found.');
}

function common(fake: FakeOpenStack, createdAt = Date.UTC(2024, 0, 1)) {
  const stamp = createdAt === Date.UTC(2024, 0, 1) ? STAMP : isoSeconds(createdAt);
  return { project_id: fake.projectId, tenant_id: fake.projectId, description: '', tags: [], created_at: stamp, updated_at: stamp, revision_number: 1 };
}

function renderNetwork(fake: FakeOpenStack, network: FakeNetwork): Record<string, unknown> {
  return {
    id: network.id,
    name: network.name,
    status: 'ACTIVE',
    subnets: [...network.subnetIds],
    admin_state_up: true,
    shared: network.shared,
    'router:external': network.external,
    is_default: network.external,
    mtu: 1442,
    port_security_enabled: true,
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ipv4_address_scope: null,
    ipv6_address_scope: null,
    ...common(fake),
  };
}

function renderSubnet(fake: FakeOpenStack, subnet: FakeSubnet): Record<string, unknown> {
  const [network] = subnet.cidr.split('/');
  const prefix = network!.split('.').slice(0, 2).join('.');
  return {
    id: subnet.id,
    name: subnet.name,
    network_id: subnet.networkId,
    cidr: subnet.cidr,
    ip_version: 4,
    gateway_ip: subnet.gatewayIp,
    enable_dhcp: true,
    allocation_pools: [{ start: `${prefix}.0.2`, end: `${prefix}.255.254` }],
    dns_nameservers: [],
    host_routes: [],
    ipv6_ra_mode: null,
    ipv6_address_mode: null,
    subnetpool_id: null,
    service_types: [],
    ...common(fake),
  };
}

function renderPort(fake: FakeOpenStack, port: FakePort): Record<string, unknown> {
  const defaultGroup = fake.securityGroups.get('default')?.id;
  return {
    id: port.id,
    name: port.name,
    network_id: port.networkId,
    mac_address: port.macAddress,
    fixed_ips: port.fixedIps.map((ip) => ({ subnet_id: ip.subnetId, ip_address: ip.ipAddress })),
    device_id: port.deviceId,
    device_owner: port.deviceOwner,
    status: port.status,
    admin_state_up: true,
    security_groups: port.deviceOwner.startsWith('compute:') && defaultGroup ? [defaultGroup] : [],
    'binding:vnic_type': 'normal',
    allowed_address_pairs: [],
    extra_dhcp_opts: [],
    port_security_enabled: true,
    ...common(fake, port.createdAt),
  };
}

function renderFloatingIp(fake: FakeOpenStack, fip: FakeFloatingIp): Record<string, unknown> {
  const port = fip.portId ? fake.ports.get(fip.portId) : undefined;
  return {
    id: fip.id,
    floating_ip_address: fip.address,
    floating_network_id: fip.networkId,
    router_id: fip.routerId,
    port_id: fip.portId,
    fixed_ip_address: fip.fixedIpAddress,
    status: fip.status,
    qos_policy_id: null,
    port_forwardings: [],
    port_details: port
      ? { name: port.name, network_id: port.networkId, mac_address: port.macAddress, admin_state_up: true, status: port.status, device_id: port.deviceId, device_owner: port.deviceOwner }
      : null,
    ...common(fake, fip.createdAt),
    description: fip.description,
  };
}

function renderRouter(fake: FakeOpenStack, router: FakeRouter): Record<string, unknown> {
  return {
    id: router.id,
    name: router.name,
    status: 'ACTIVE',
    admin_state_up: true,
    external_gateway_info: router.externalNetworkId ? { network_id: router.externalNetworkId, enable_snat: true, external_fixed_ips: [] } : null,
    routes: [],
    availability_zone_hints: [],
    availability_zones: ['nova'],
    ...common(fake),
  };
}

function renderSecurityGroup(fake: FakeOpenStack, group: FakeSecurityGroup): Record<string, unknown> {
  return { id: group.id, name: group.name, stateful: true, security_group_rules: [], ...common(fake), description: 'Default security group' };
}
