import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { answerControl, commonControlRoutes, readRequestBody, sendReply, type ControlRoutes } from '@nodepool/core/testing';
import { apiCallName } from '../api-call-name.js';
import { INTERFACES, SERVICES, type FakeInterface } from './catalog.js';
import { cinderApi } from './cinder-api.js';
import { fakeCloudsYaml } from './clouds-yaml.js';
import { isThrottleStatus } from './fault-rules.js';
import type { FakeOpenStack } from './fake-openstack.js';
import { FakeOpenStackUsageError } from './fake-openstack-settings.js';
import { glanceApi, glanceErrorBody, type ImageUpload } from './glance-api.js';
import { ApiError, json, type ApiRequest, type HttpReply } from './http-kit.js';
import { keystoneApi, keystoneErrorBody } from './keystone-api.js';
import { neutronApi, neutronErrorBody } from './neutron-api.js';
import { novaApi, novaErrorBody } from './nova-api.js';

/** Bodies beyond this are refused (image data is hashed as it streams and never held). */
const MAX_BODY_BYTES = 16 * 1024 * 1024;
const UNAUTHORIZED = 'The request you have made requires authentication.';

type ServiceType = 'identity' | 'compute' | 'network' | 'image' | 'block-storage';

const SERVICE_BY_ROOT: Readonly<Record<string, ServiceType>> = { identity: 'identity', compute: 'compute', network: 'network', image: 'image', volume: 'block-storage' };

/** Default error messages by status, for injected faults without one. */
const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'Bad request.',
  403: 'Quota exceeded for instances: Requested 1, but already used 10 of 10 instances',
  404: 'The resource could not be found.',
  409: 'There was a conflict when trying to complete your request.',
  413: 'This request was rate-limited.',
  429: 'This request was rate-limited.',
  500: 'Unexpected API Error. Please report this at http://bugs.launchpad.net/nova/ and attach the Nova API log if possible.',
  503: 'The server is currently unavailable. Please try again at a later time.',
};

/** Where an API request landed: region and interface of the endpoint, service, path below it. */
interface Target {
  region: string;
  iface: FakeInterface;
  root: string;
  service: ServiceType;
  prefix: string;
  segments: string[];
}

/**
 * An HTTP server (not yet listening) answering Keystone, Nova, Neutron, Glance and Cinder from
 * `fake`, under `/identity`, `/compute`, `/network`, `/image` and `/volume` (other regions and
 * the internal and admin interfaces under `/<region>`, `/internal` and `/admin` prefixes), and
 * the control plane under `/_fake` (JSON). `rootUrl()` is the fake's base URL, for catalogs.
 */
export function createFakeOpenStackServer(fake: FakeOpenStack, rootUrl: () => string): Server {
  const routes = controlRoutes(fake, rootUrl);
  return createServer((request, response) => {
    handle(fake, routes, request, rootUrl()).then(
      (reply) => sendReply(response, reply),
      (error: unknown) => sendReply(response, { status: 500, headers: { 'Content-Type': 'text/plain' }, body: `fake OpenStack failed: ${error instanceof Error ? error.stack : String(error)}` }),
    );
  });
}

function locate(fake: FakeOpenStack, pathname: string): Target | undefined {
  const segments = pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  const regions = fake.settings().regions;
  let region = regions[0]!;
  let iface: FakeInterface = 'public';
  const prefix: string[] = [];
  if (segments.length > 0 && regions.slice(1).includes(segments[0]!)) {
    region = segments[0]!;
    prefix.push(encodeURIComponent(segments.shift()!));
  }
  if (segments.length > 0 && (INTERFACES as readonly string[]).includes(segments[0]!) && segments[0] !== 'public') {
    iface = segments[0] as FakeInterface;
    prefix.push(segments.shift()!);
  }
  const root = segments.shift();
  const service = root === undefined ? undefined : SERVICE_BY_ROOT[root];
  if (!service || !root) return undefined;
  return { region, iface, root, service, prefix: prefix.length > 0 ? `/${prefix.join('/')}` : '', segments };
}

async function handle(fake: FakeOpenStack, routes: ControlRoutes, request: IncomingMessage, rootUrl: string): Promise<HttpReply> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://fake-openstack');
  if (url.pathname === '/_fake' || url.pathname.startsWith('/_fake/')) return answerControl(method, url.pathname, (await readRequestBody(request, MAX_BODY_BYTES)).body, routes, badControlRequest);
  const target = locate(fake, url.pathname);
  const isUpload = method === 'PUT' && target?.service === 'image' && target.segments.length === 4 && target.segments[3] === 'file';
  const upload = isUpload ? await hashBody(request) : undefined;
  const { body, tooLarge } = isUpload ? { body: Buffer.alloc(0), tooLarge: false } : await readRequestBody(request, MAX_BODY_BYTES);
  if (!target) return { status: 404, headers: { 'Content-Type': 'text/plain' }, body: `404 Not Found: no OpenStack service at ${url.pathname}` };

  const operation = apiCallName(target.service, method, `/${target.segments.join('/')}`, fake.projectId);
  fake.countEndpoint(`${target.region}/${target.iface}`);
  const errorReply = (error: ApiError): HttpReply => serviceError(target.service, error, rootUrl);

  const fault = fake.takeFault(operation);
  if (fault && isThrottleStatus(fault.status)) {
    fake.count(`${operation}.throttled`);
    const retryAfter = String(fault.retryAfterS ?? 1);
    return errorReply(new ApiError(fault.status, fault.message ?? DEFAULT_MESSAGES[fault.status]!, 'OverLimit', { 'Retry-After': retryAfter }));
  }
  fake.count(operation);
  const latency = fake.latencyFor(operation);
  if (latency > 0) await new Promise((resolve) => setTimeout(resolve, latency));
  try {
    if (fault) throw new ApiError(fault.status, fault.message ?? DEFAULT_MESSAGES[fault.status] ?? 'Injected fault.');
    if (tooLarge) throw new ApiError(413, 'Request Entity Too Large');
    const discovery = target.segments.length <= 1;
    const issuingToken = target.service === 'identity' && method === 'POST' && target.segments.join('/') === 'v3/auth/tokens';
    if (!discovery && !issuingToken) {
      const token = request.headers['x-auth-token'];
      if (!fake.tokens.valid(Array.isArray(token) ? token[0] : token)) {
        throw new ApiError(401, UNAUTHORIZED, undefined, { 'WWW-Authenticate': `Keystone uri="${rootUrl}/identity"` });
      }
    }
    const apiRequest: ApiRequest = { method, segments: target.segments, query: url.searchParams, headers: request.headers, body, base: `${rootUrl}${target.prefix}` };
    switch (target.service) {
      case 'identity':
        return keystoneApi(fake, apiRequest, rootUrl);
      case 'compute':
        return novaApi(fake, apiRequest);
      case 'network':
        return neutronApi(fake, apiRequest);
      case 'image':
        return glanceApi(fake, apiRequest, upload);
      case 'block-storage':
        return cinderApi(fake, apiRequest);
    }
  } catch (error) {
    fake.count(`${operation}.failed`);
    if (error instanceof ApiError) return errorReply(error);
    return errorReply(new ApiError(500, `The fake failed: ${error instanceof Error ? error.message : String(error)}`));
  }
}

/** An error in the service's own format; a 401 in keystonemiddleware's, whichever the service. */
function serviceError(service: ServiceType, error: ApiError, rootUrl: string): HttpReply {
  const requestId = `req-${randomUUID()}`;
  const headers = { 'X-Openstack-Request-Id': requestId, ...error.headers };
  if (error.status === 401) return json(keystoneErrorBody(401, error.message), 401, { 'WWW-Authenticate': `Keystone uri="${rootUrl}/identity"`, ...headers });
  switch (service) {
    case 'identity':
      return json(keystoneErrorBody(error.status, error.message), error.status, headers);
    case 'compute':
    case 'block-storage': {
      const retryAfter = error.headers['Retry-After'];
      return json(novaErrorBody(error.status, error.message, retryAfter === undefined ? undefined : Number(retryAfter)), error.status, headers);
    }
    case 'network':
      return json(neutronErrorBody(error.status, error.message, error.type), error.status, headers);
    case 'image':
      return { status: error.status, headers: { 'Content-Type': 'text/html; charset=UTF-8', ...headers }, body: glanceErrorBody(error.status, error.message) };
  }
}

// ---- control plane --------------------------------------------------------------------------------

function controlRoutes(fake: FakeOpenStack, rootUrl: () => string): ControlRoutes {
  return {
    'GET /_fake': () =>
      json({ name: 'nodepool-fake-openstack', about: 'A fake OpenStack (Keystone v3, Nova, Neutron, Glance v2, Cinder v3) for Nodepool tests and benchmarks. Not OpenStack.', settings: fake.settings() }),
    ...commonControlRoutes('/_fake', fake),
    'GET /_fake/calls/endpoints': () => json(fake.endpointCalls()),
    'GET /_fake/faults': () => json(fake.faultRules()),
    'POST /_fake/faults': (input) => json(fake.injectFault(input as never), 201),
    'POST /_fake/boot-failures': (input) => json(fake.failBoots((input ?? {}) as never), 201),
    'DELETE /_fake/faults': () => {
      fake.clearFaults();
      return { status: 204 };
    },
    'DELETE /_fake/tokens': () => json({ revoked: fake.tokens.revokeAll() }),
    'GET /_fake/clouds.yaml': () => ({ status: 200, headers: { 'Content-Type': 'application/yaml' }, body: fakeCloudsYaml('fake', rootUrl()) }),
    'POST /_fake/servers': (input) => json(fake.addServer((input ?? {}) as never), 201),
    'POST /_fake/floating-ips': (input) => json(fake.addFloatingIp((input ?? {}) as never), 201),
    'POST /_fake/ports': (input) => json(fake.addPort((input ?? {}) as never), 201),
    'POST /_fake/volumes': (input) => json(fake.addVolume((input ?? {}) as never), 201),
    'POST /_fake/images': (input) => json(fake.addImage(input as never), 201),
    'POST /_fake/keypairs': (input) => json(fake.addKeypair(input as never), 201),
  };
}

/** Why a control request is refused with 400, if it is. */
function badControlRequest(error: unknown): { code: string; message: string } | undefined {
  if (error instanceof ApiError || error instanceof FakeOpenStackUsageError || error instanceof TypeError) return { code: 'BadRequest', message: error.message };
  return undefined;
}

/** Image data: counted and hashed as it arrives, never held. */
function hashBody(request: IncomingMessage): Promise<ImageUpload> {
  return new Promise((resolve, reject) => {
    const md5 = createHash('md5');
    const sha512 = createHash('sha512');
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      md5.update(chunk);
      sha512.update(chunk);
    });
    request.on('end', () => resolve({ size, md5: md5.digest('hex'), sha512: sha512.digest('hex') }));
    request.on('error', reject);
  });
}

/** The services the fake serves, for its banner. */
export const SERVED = SERVICES.map((service) => service.type);
