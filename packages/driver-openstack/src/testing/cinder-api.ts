import type { FakeOpenStack } from './fake-openstack.js';
import type { FakeVolume } from './fake-openstack-types.js';
import { ApiError, isoMicros, json, jsonBody, member, noContent, page, type ApiRequest, type HttpReply } from './http-kit.js';
import { compareMicroversions, microversionHeaders, parseMicroversion, requestedMicroversion, type Microversion } from './microversion.js';

const MIN: Microversion = [3, 0];
const DEFAULT_TYPE_ID = '5f4e3d2c-1b0a-4987-a6b5-c4d3e2f1a0b9';

function versionEntry(base: string, max: string) {
  return {
    id: 'v3.0',
    status: 'CURRENT',
    version: max,
    min_version: '3.0',
    updated: '2023-08-31T00:00:00Z',
    links: [
      { href: 'https://docs.openstack.org/', type: 'text/html', rel: 'describedby' },
      { href: `${base}/volume/v3/`, rel: 'self' },
    ],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
  };
}

/**
 * Cinder's API (v3): version discovery, volumes (list, show, create, delete, metadata), volume
 * types, availability zones and limits, under `/v3/{project_id}` as the catalog publishes it.
 */
export function cinderApi(fake: FakeOpenStack, request: ApiRequest): HttpReply {
  const settings = fake.settings();
  const [version, project, ...rest] = request.segments;
  if (version === undefined) return json({ versions: [versionEntry(request.base, settings.volumeMaxMicroversion)] }, 300);
  if (version !== 'v3') throw new ApiError(404, 'The resource could not be found.');
  if (project === undefined || project === '') return json({ versions: [versionEntry(request.base, settings.volumeMaxMicroversion)] });
  if (project !== fake.projectId) throw new ApiError(400, 'Malformed request url');
  const mv = requestedMicroversion(request.headers, { service: 'volume', legacyHeader: 'openstack-volume-api-version', min: MIN, max: parseMicroversion(settings.volumeMaxMicroversion)! });
  fake.refresh();
  const reply = route(fake, request, rest, mv);
  return { ...reply, headers: { ...reply.headers, ...microversionHeaders('volume', undefined, mv) } };
}

function route(fake: FakeOpenStack, request: ApiRequest, path: readonly string[], mv: Microversion): HttpReply {
  const { method } = request;
  const [collection, id, sub] = path;
  switch (collection) {
    case 'volumes': {
      if (id === undefined && method === 'GET') return listVolumes(fake, request, mv, false);
      if (id === 'detail' && method === 'GET') return listVolumes(fake, request, mv, true);
      if (id === undefined && method === 'POST') return createVolume(fake, request, mv);
      const volume = fake.volumes.get(id ?? '');
      if (!volume) throw new ApiError(404, `Volume ${id ?? ''} could not be found.`);
      if (sub === undefined && method === 'GET') return json({ volume: renderVolume(fake, volume, request.base, mv) });
      if (sub === undefined && method === 'DELETE') {
        fake.deleteVolume(volume.id);
        return noContent(202);
      }
      if (sub === 'metadata') {
        if (method === 'GET') return json({ metadata: volume.metadata });
        if (method === 'POST' || method === 'PUT') {
          const metadata = member(jsonBody(request), 'metadata');
          for (const value of Object.values(metadata)) if (typeof value !== 'string') throw new ApiError(400, 'Invalid metadata: metadata values must be strings.');
          const record = fake.volumes.get(volume.id)!;
          record.metadata = method === 'PUT' ? (metadata as Record<string, string>) : { ...record.metadata, ...(metadata as Record<string, string>) };
          return json({ metadata: record.metadata });
        }
      }
      break;
    }
    case 'types':
      if (method === 'GET' && id === undefined) {
        return json({ volume_types: [{ id: DEFAULT_TYPE_ID, name: '__DEFAULT__', description: 'Default Volume Type', is_public: true, extra_specs: {}, 'os-volume-type-access:is_public': true }] });
      }
      break;
    case 'os-availability-zone':
      if (method === 'GET') return json({ availabilityZoneInfo: fake.settings().zones.map((zoneName) => ({ zoneName, zoneState: { available: true } })) });
      break;
    case 'limits':
      if (method === 'GET') return json({ limits: renderLimits(fake) });
      break;
  }
  throw new ApiError(404, 'The resource could not be found.');
}

function renderVolume(fake: FakeOpenStack, volume: FakeVolume, base: string, mv: Microversion): Record<string, unknown> {
  const at = (text: string) => compareMicroversions(mv, parseMicroversion(text)!) >= 0;
  const stamp = isoMicros(volume.createdAt).replace('Z', '');
  const image = volume.imageId ? fake.images.get(volume.imageId) : undefined;
  const rendered: Record<string, unknown> = {
    id: volume.id,
    name: volume.name === '' ? null : volume.name,
    status: volume.status,
    size: volume.size,
    availability_zone: volume.az,
    attachments: volume.serverId
      ? [{ server_id: volume.serverId, attachment_id: `${volume.id.slice(0, 24)}${volume.serverId.slice(24)}`, attached_at: stamp, host_name: null, volume_id: volume.id, device: '/dev/vda', id: volume.id }]
      : [],
    bootable: volume.imageId ? 'true' : 'false',
    metadata: volume.metadata,
    volume_type: '__DEFAULT__',
    created_at: stamp,
    updated_at: stamp,
    description: null,
    encrypted: false,
    multiattach: false,
    'os-vol-tenant-attr:tenant_id': fake.projectId,
    snapshot_id: null,
    source_volid: null,
    user_id: '9f8e7d6c5b4a40392817f6e5d4c3b2a1',
    consistencygroup_id: null,
    replication_status: null,
    migration_status: null,
    links: [
      { href: `${base}/volume/v3/${fake.projectId}/volumes/${volume.id}`, rel: 'self' },
      { href: `${base}/volume/${fake.projectId}/volumes/${volume.id}`, rel: 'bookmark' },
    ],
  };
  if (image) rendered.volume_image_metadata = { image_id: image.id, image_name: image.name, checksum: image.checksum, disk_format: image.diskFormat, container_format: image.containerFormat, size: String(image.size ?? 0), min_ram: '0', min_disk: '0' };
  if (at('3.13')) rendered.group_id = null;
  if (at('3.21')) rendered.provider_id = null;
  if (at('3.48')) rendered.shared_targets = false;
  if (at('3.63')) rendered.volume_type_id = DEFAULT_TYPE_ID;
  if (at('3.65')) rendered.consumes_quota = true;
  return rendered;
}

function listVolumes(fake: FakeOpenStack, request: ApiRequest, mv: Microversion, detail: boolean): HttpReply {
  const status = request.query.get('status');
  const volumes = [...fake.volumes.values()].filter((volume) => status === null || volume.status === status).sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1));
  const { items, more } = page(volumes, request.query);
  const body: Record<string, unknown> = {
    volumes: items.map((volume) => (detail ? renderVolume(fake, volume, request.base, mv) : { id: volume.id, name: volume.name === '' ? null : volume.name, links: renderVolume(fake, volume, request.base, mv).links })),
  };
  if (more) {
    const next = new URLSearchParams(request.query);
    next.set('marker', items.at(-1)!.id);
    body.volumes_links = [{ rel: 'next', href: `${request.base}/volume/v3/${fake.projectId}/volumes${detail ? '/detail' : ''}?${next}` }];
  }
  return json(body);
}

function createVolume(fake: FakeOpenStack, request: ApiRequest, mv: Microversion): HttpReply {
  const volume = member(jsonBody(request), 'volume');
  const size = Number(volume.size);
  if (!Number.isInteger(size) || size < 1) throw new ApiError(400, `Invalid input received: Volume size '${String(volume.size)}' must be an integer and greater than 0.`);
  const imageId = typeof volume.imageRef === 'string' ? volume.imageRef : null;
  if (imageId !== null && !fake.images.has(imageId)) throw new ApiError(400, `Invalid image identifier or unable to access requested image.`);
  const metadata = volume.metadata ?? {};
  if (metadata === null || typeof metadata !== 'object' || Object.values(metadata).some((value) => typeof value !== 'string')) throw new ApiError(400, 'Invalid metadata: metadata values must be strings.');
  const created = fake.createVolume({
    name: typeof volume.name === 'string' ? volume.name : '',
    size,
    imageId,
    ...(typeof volume.availability_zone === 'string' ? { az: volume.availability_zone } : {}),
    metadata: metadata as Record<string, string>,
  });
  return json({ volume: renderVolume(fake, created, request.base, mv) }, 202);
}

function renderLimits(fake: FakeOpenStack): unknown {
  const { quotas } = fake.settings();
  const used = fake.usage();
  return {
    rate: [],
    absolute: {
      maxTotalVolumes: quotas.volumes,
      maxTotalVolumeGigabytes: quotas.gigabytes,
      maxTotalSnapshots: 10,
      maxTotalBackups: 10,
      maxTotalBackupGigabytes: 1000,
      totalVolumesUsed: used.volumes,
      totalGigabytesUsed: used.gigabytes,
      totalSnapshotsUsed: 0,
      totalBackupsUsed: 0,
      totalBackupGigabytesUsed: 0,
    },
  };
}
