import type { FakeOpenStack } from './fake-openstack.js';
import type { FakeImage } from './fake-openstack-types.js';
import { ApiError, filterByQuery, isoSeconds, json, noContent, page, type ApiRequest, type HttpReply } from './http-kit.js';

const DISK_FORMATS = ['ami', 'ari', 'aki', 'vhd', 'vhdx', 'vmdk', 'raw', 'qcow2', 'vdi', 'iso', 'ploop'];
const CONTAINER_FORMATS = ['ami', 'ari', 'aki', 'bare', 'ovf', 'ova', 'docker', 'compressed'];
/** Attributes Glance computes; a request setting them is refused. */
const READ_ONLY = ['status', 'size', 'virtual_size', 'checksum', 'os_hash_algo', 'os_hash_value', 'created_at', 'updated_at', 'self', 'file', 'schema', 'direct_url', 'locations'];
const TITLES: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Request Entity Too Large', 415: 'Unsupported Media Type', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };

/** Glance's error body: WebOb's HTML page with the status and the explanation. */
export function glanceErrorBody(status: number, message: string): string {
  const title = `${status} ${TITLES[status] ?? 'Error'}`;
  return `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n  ${message}<br /><br />\n\n\n\n </body>\n</html>`;
}

/** The image data of a `PUT …/file`, hashed as it streamed in (the fake keeps no bytes). */
export interface ImageUpload {
  readonly size: number;
  readonly md5: string;
  readonly sha512: string;
}

/**
 * Glance's API (v2): version discovery, images (list with filters and paging, create, show,
 * update by JSON patch, delete) and their data (`PUT /v2/images/{id}/file`), with the upload's
 * size, MD5 `checksum` and SHA-512 `os_hash_value` recorded.
 */
export function glanceApi(fake: FakeOpenStack, request: ApiRequest, upload: ImageUpload | undefined): HttpReply {
  const [version, collection, id, sub, ...more] = request.segments;
  if (version === undefined) {
    return json(
      {
        versions: [
          { id: 'v2.16', status: 'CURRENT', links: [{ rel: 'self', href: `${request.base}/image/v2/` }] },
          { id: 'v2.0', status: 'SUPPORTED', links: [{ rel: 'self', href: `${request.base}/image/v2/` }] },
        ],
      },
      300,
    );
  }
  if (version !== 'v2' || more.length > 0) throw new ApiError(404, 'The resource could not be found.');
  fake.refresh();
  const { method } = request;
  if (collection === 'info' && id === 'import' && method === 'GET') {
    return json({ 'import-methods': { description: 'Import methods available.', type: 'array', value: ['glance-direct', 'web-download'] } });
  }
  if (collection !== 'images') throw new ApiError(404, 'The resource could not be found.');
  if (id === undefined) {
    if (method === 'GET') return listImages(fake, request);
    if (method === 'POST') return createImage(fake, request);
  } else {
    const image = fake.images.get(id);
    if (!image) throw new ApiError(404, `No image found with ID ${id}`);
    if (sub === undefined && method === 'GET') return json(renderImage(image));
    if (sub === undefined && method === 'DELETE') {
      fake.deleteImage(id);
      return noContent();
    }
    if (sub === undefined && method === 'PATCH') return patchImage(fake, image, request);
    if (sub === 'file' && method === 'PUT') {
      const type = String(request.headers['content-type'] ?? '');
      if (!type.startsWith('application/octet-stream')) throw new ApiError(415, `The request has a media type ${type} that is not supported`);
      if (!image.diskFormat || !image.containerFormat) throw new ApiError(400, 'Properties disk_format, container_format must be set prior to saving data.');
      if (!upload) throw new ApiError(400, 'No image data was sent.');
      fake.storeImageData(id, upload.size, upload.md5, upload.sha512);
      return noContent();
    }
  }
  throw new ApiError(405, 'The method is not allowed for this resource.');
}

function renderImage(image: FakeImage): Record<string, unknown> {
  return {
    ...image.properties,
    id: image.id,
    name: image.name === '' ? null : image.name,
    status: image.status,
    visibility: image.visibility,
    protected: image.protected,
    os_hidden: false,
    checksum: image.checksum,
    os_hash_algo: image.hashValue === null ? null : 'sha512',
    os_hash_value: image.hashValue,
    owner: image.owner,
    size: image.size,
    virtual_size: null,
    min_ram: image.minRam,
    min_disk: image.minDisk,
    disk_format: image.diskFormat,
    container_format: image.containerFormat,
    created_at: isoSeconds(image.createdAt),
    updated_at: isoSeconds(image.updatedAt),
    tags: [...image.tags],
    self: `/v2/images/${image.id}`,
    file: `/v2/images/${image.id}/file`,
    schema: '/v2/schemas/image',
  };
}

function listImages(fake: FakeOpenStack, request: ApiRequest): HttpReply {
  const query = request.query;
  // Without a visibility filter Glance leaves community images out.
  const images = [...fake.images.values()].filter((image) => query.has('visibility') || image.visibility !== 'community');
  const rendered = images.map(renderImage);
  // `tag` is matched against the tag list; the rest are plain fields.
  const tags = query.getAll('tag');
  const filtered = (filterByQuery(rendered, query, ['tag', 'member_status']) as (Record<string, unknown> & { id: string })[]).filter((image) => tags.every((tag) => (image.tags as string[]).includes(tag)));
  filtered.sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)) || (a.id < b.id ? -1 : 1));
  const { items, more } = page(filtered, query, 25);
  const body: Record<string, unknown> = { images: items, first: '/v2/images', schema: '/v2/schemas/images' };
  if (more) {
    const next = new URLSearchParams(query);
    next.set('marker', items.at(-1)!.id);
    body.next = `/v2/images?${next}`;
  }
  return json(body);
}

function readImageRequest(body: Record<string, unknown>, creating: boolean): Parameters<FakeOpenStack['createImage']>[0] {
  const properties: Record<string, unknown> = {};
  const settings: Record<string, unknown> = { name: null };
  for (const [key, value] of Object.entries(body)) {
    if (READ_ONLY.includes(key) || (!creating && key === 'id')) throw new ApiError(403, `Attribute '${key}' is read-only.`);
    switch (key) {
      case 'name':
      case 'id':
        if (value !== null && typeof value !== 'string') throw new ApiError(400, `Provided object does not match schema 'image': ${JSON.stringify(value)} is not of type 'null', 'string'`);
        settings[key] = value;
        break;
      case 'visibility':
        if (!['public', 'private', 'shared', 'community'].includes(String(value))) throw new ApiError(400, `Invalid visibility value: ${String(value)}`);
        settings.visibility = value;
        break;
      case 'disk_format':
        if (!DISK_FORMATS.includes(String(value))) throw new ApiError(400, `Invalid value '${String(value)}' for parameter 'disk_format': Value must be one of ${DISK_FORMATS.join(', ')}.`);
        settings.diskFormat = value;
        break;
      case 'container_format':
        if (!CONTAINER_FORMATS.includes(String(value))) throw new ApiError(400, `Invalid value '${String(value)}' for parameter 'container_format': Value must be one of ${CONTAINER_FORMATS.join(', ')}.`);
        settings.containerFormat = value;
        break;
      case 'min_ram':
      case 'min_disk':
        if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw new ApiError(400, `Provided object does not match schema 'image': ${JSON.stringify(value)} is not of type 'integer'`);
        settings[key === 'min_ram' ? 'minRam' : 'minDisk'] = value;
        break;
      case 'protected':
      case 'os_hidden':
        if (typeof value !== 'boolean') throw new ApiError(400, `Provided object does not match schema 'image': ${JSON.stringify(value)} is not of type 'boolean'`);
        if (key === 'protected') settings.protected = value;
        break;
      case 'tags':
        if (!Array.isArray(value) || !value.every((tag) => typeof tag === 'string')) throw new ApiError(400, "Provided object does not match schema 'image': tags must be strings");
        settings.tags = value;
        break;
      default:
        // Glance's schema takes any other property, as a string.
        if (typeof value !== 'string') throw new ApiError(400, `Provided object does not match schema 'image': ${JSON.stringify(value)} is not of type 'string'`);
        properties[key] = value;
    }
  }
  return { ...(settings as object), properties } as Parameters<FakeOpenStack['createImage']>[0];
}

function createImage(fake: FakeOpenStack, request: ApiRequest): HttpReply {
  let body: unknown;
  try {
    body = JSON.parse(request.body.toString('utf8') || '{}');
  } catch {
    throw new ApiError(400, 'Malformed JSON in request body.');
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw new ApiError(400, 'Malformed JSON in request body.');
  const image = fake.createImage(readImageRequest(body as Record<string, unknown>, true));
  return json(renderImage(image), 201, { Location: `${request.base}/image/v2/images/${image.id}`, 'OpenStack-image-import-methods': 'glance-direct,web-download' });
}

/** Glance's JSON patch (`application/openstack-images-v2.1-json-patch`): add, replace and remove. */
function patchImage(fake: FakeOpenStack, image: FakeImage, request: ApiRequest): HttpReply {
  const type = String(request.headers['content-type'] ?? '');
  if (!type.startsWith('application/openstack-images-v2.1-json-patch') && !type.startsWith('application/openstack-images-v2.0-json-patch')) {
    throw new ApiError(415, `The request has a media type ${type} that is not supported`);
  }
  let operations: unknown;
  try {
    operations = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new ApiError(400, 'Malformed JSON in request body.');
  }
  if (!Array.isArray(operations)) throw new ApiError(400, 'Malformed JSON in request body: a list of changes is expected.');
  const record = fake.images.get(image.id)!;
  for (const operation of operations as { op?: unknown; path?: unknown; value?: unknown }[]) {
    const key = typeof operation.path === 'string' ? operation.path.replace(/^\//, '') : '';
    if (key === '' || READ_ONLY.includes(key) || key === 'id') throw new ApiError(403, `Attribute '${key}' is read-only.`);
    if (operation.op === 'remove') {
      if (!(key in record.properties)) throw new ApiError(409, `Property ${key} does not exist.`);
      const { [key]: _removed, ...rest } = record.properties;
      record.properties = rest;
      continue;
    }
    if (operation.op !== 'add' && operation.op !== 'replace') throw new ApiError(400, `Unable to find '${String(operation.op)}' in JSON Schema change`);
    const change = readImageRequest({ [key]: operation.value }, false);
    const { properties, name, ...settings } = change;
    if (key === 'name') record.name = (name as string | null) ?? '';
    Object.assign(record, settings);
    record.properties = { ...record.properties, ...properties };
  }
  record.updatedAt = Date.now();
  return json(renderImage(record));
}
