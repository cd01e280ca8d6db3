import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { SimOperation } from './api-types.js';
import type { SimCloud } from './sim-cloud.js';
import { badRequest, SimCloudError } from './sim-cloud-error.js';

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly headers?: Record<string, string>;
}

interface Route {
  readonly method: 'GET' | 'POST' | 'DELETE';
  readonly path: RegExp;
  /** The counter (and throttle) name of a cloud API call; control routes have none. */
  readonly operation?: SimOperation;
  handle(cloud: SimCloud, id: string, body: unknown): Reply;
}

const ok = (body: unknown, status = 200): Reply => ({ status, body });
const noContent: Reply = { status: 204 };

const ID = '([^/]+)';

/** `PUT /images/:id/file`: the one route whose body is raw bytes, streamed rather than read whole. */
const UPLOAD_PATH = new RegExp(`^/images/${ID}/file$`);

/** The API (counted, throttled) and the control plane under `/_sim` (neither). */
const ROUTES: readonly Route[] = [
  { method: 'GET', path: /^\/instances$/, operation: 'instances.list', handle: (cloud) => ok({ instances: cloud.listInstances() }) },
  { method: 'POST', path: /^\/instances$/, operation: 'instances.create', handle: (cloud, _, body) => ok({ instance: cloud.createInstance(body) }, 201) },
  { method: 'GET', path: new RegExp(`^/instances/${ID}$`), operation: 'instances.get', handle: (cloud, id) => ok({ instance: cloud.getInstance(id) }) },
  { method: 'DELETE', path: new RegExp(`^/instances/${ID}$`), operation: 'instances.delete', handle: (cloud, id) => ok({ instance: cloud.deleteInstance(id) }, 202) },
  { method: 'GET', path: /^\/images$/, operation: 'images.list', handle: (cloud) => ok({ images: cloud.listImages() }) },
  { method: 'POST', path: /^\/images$/, operation: 'images.create', handle: (cloud, _, body) => ok({ image: cloud.createImage(body) }, 201) },
  { method: 'GET', path: new RegExp(`^/images/${ID}$`), operation: 'images.get', handle: (cloud, id) => ok({ image: cloud.getImage(id) }) },
  {
    method: 'DELETE',
    path: new RegExp(`^/images/${ID}$`),
    operation: 'images.delete',
    handle: (cloud, id) => {
      cloud.deleteImage(id);
      return noContent;
    },
  },
  { method: 'GET', path: /^\/flavors$/, operation: 'flavors.list', handle: (cloud) => ok({ flavors: cloud.flavors() }) },
  { method: 'GET', path: /^\/availability-zones$/, operation: 'zones.list', handle: (cloud) => ok({ zones: cloud.zones() }) },
  { method: 'GET', path: /^\/quota$/, operation: 'quota.get', handle: (cloud) => ok(cloud.quota()) },
  {
    method: 'GET',
    path: /^\/$/,
    handle: () => ok({ name: 'nodepool-sim-cloud', simulator: true, about: 'A simulated cloud for Nodepool tests, demos and benchmarks. Not a cloud.' }),
  },
  { method: 'GET', path: /^\/_sim\/calls$/, handle: (cloud) => ok(cloud.calls()) },
  { method: 'DELETE', path: /^\/_sim\/calls$/, handle: (cloud) => ok(cloud.resetCalls()) },
  { method: 'GET', path: /^\/_sim\/config$/, handle: (cloud) => ok(cloud.getSettings()) },
  { method: 'POST', path: /^\/_sim\/config$/, handle: (cloud, _, body) => ok(cloud.configure(body)) },
  {
    method: 'POST',
    path: /^\/_sim\/reset$/,
    handle: (cloud) => {
      cloud.reset();
      return noContent;
    },
  },
  { method: 'GET', path: /^\/_sim\/instances$/, handle: (cloud) => ok({ instances: cloud.listInstances() }) },
  { method: 'POST', path: /^\/_sim\/instances$/, handle: (cloud, _, body) => ok({ instance: cloud.createInstanceDirectly(body ?? {}) }, 201) },
  { method: 'GET', path: /^\/_sim\/images$/, handle: (cloud) => ok({ images: cloud.listImages() }) },
  { method: 'POST', path: /^\/_sim\/images$/, handle: (cloud, _, body) => ok({ image: cloud.createImageDirectly(body) }, 201) },
];

const MAX_BODY_BYTES = 1024 * 1024;

/** An HTTP server (not yet listening) serving `cloud`'s API and control plane as JSON. */
export function createSimCloudServer(cloud: SimCloud): Server {
  return createServer((request, response) => {
    handle(cloud, request).then(
      (reply) => send(response, reply),
      (error: unknown) => {
        const failure = error instanceof SimCloudError ? error : new SimCloudError(500, 'InternalError', String(error));
        send(response, { status: failure.status, body: failure.toBody() });
      },
    );
  });
}

async function handle(cloud: SimCloud, request: IncomingMessage): Promise<Reply> {
  const path = new URL(request.url ?? '/', 'http://sim').pathname.replace(/\/+$/, '') || '/';
  const upload = UPLOAD_PATH.exec(path);
  if (upload && request.method === 'PUT') return receiveFile(cloud, decodeURIComponent(upload[1]!), request);
  // Read first, whatever the outcome, so the connection stays usable for the next request.
  const text = await readBody(request);
  const matching = ROUTES.map((route) => ({ route, match: route.path.exec(path) })).filter(({ match }) => match !== null);
  if (matching.length === 0) throw new SimCloudError(404, 'UnknownRoute', `no such route: ${request.method ?? 'GET'} ${path}`);
  const found = matching.find(({ route }) => route.method === request.method);
  if (!found) {
    throw new SimCloudError(405, 'MethodNotAllowed', `${request.method ?? 'GET'} is not allowed on ${path} (allowed: ${matching.map(({ route }) => route.method).join(', ')})`);
  }
  const { route, match } = found;
  if (route.operation) {
    const waitMs = cloud.admit(route.operation);
    if (waitMs > 0) {
      return {
        status: 429,
        headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)), 'Retry-After-Ms': String(waitMs) },
        body: new SimCloudError(429, 'Throttled', `rate limit exceeded; retry in ${waitMs} ms`, { retryAfterMs: waitMs }).toBody(),
      };
    }
  }
  let body: unknown;
  if (text !== '') {
    try {
      body = JSON.parse(text);
    } catch {
      throw badRequest('the request body is not valid JSON');
    }
  }
  return route.handle(cloud, decodeURIComponent(match?.[1] ?? ''), body);
}

/**
 * Takes an image's file: the bytes are counted and hashed as they arrive (never kept), then
 * the image becomes `active` (or `killed` on a checksum mismatch). While `holdUploads` is on,
 * the answer waits. An uploader that goes away mid-file leaves the image `queued` again.
 */
async function receiveFile(cloud: SimCloud, id: string, request: IncomingMessage): Promise<Reply> {
  const waitMs = cloud.admit('images.upload');
  if (waitMs > 0) {
    request.resume();
    return {
      status: 429,
      headers: { 'Retry-After': String(Math.ceil(waitMs / 1000)), 'Retry-After-Ms': String(waitMs) },
      body: new SimCloudError(429, 'Throttled', `rate limit exceeded; retry in ${waitMs} ms`, { retryAfterMs: waitMs }).toBody(),
    };
  }
  try {
    cloud.beginUpload(id);
  } catch (error) {
    request.resume();
    throw error;
  }
  const md5 = createHash('md5');
  const sha256 = createHash('sha256');
  let size = 0;
  try {
    for await (const chunk of request as AsyncIterable<Buffer>) {
      size += chunk.length;
      md5.update(chunk);
      sha256.update(chunk);
    }
    if (!request.complete) throw new Error('the upload broke off');
  } catch (error) {
    cloud.abandonUpload(id);
    throw error;
  }
  await cloud.uploadsReleased();
  return ok({ image: cloud.finishUpload(id, { size, md5: md5.digest('hex'), sha256: sha256.digest('hex') }) });
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => {
      if (size > MAX_BODY_BYTES) reject(new SimCloudError(413, 'BadRequest', `the request body is larger than ${MAX_BODY_BYTES} bytes`));
      else resolve(Buffer.concat(chunks).toString('utf8'));
    });
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  if (reply.body === undefined) {
    response.writeHead(reply.status, reply.headers).end();
    return;
  }
  const text = JSON.stringify(reply.body);
  response
    .writeHead(reply.status, { ...reply.headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
    .end(text);
}
