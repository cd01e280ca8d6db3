import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { setTimeout as sleep } from 'node:timers/promises';
import { cosErrorReply, CosError, cosRoute } from './cos-routes.js';
import { fakeCredentialsFile } from './credentials-file.js';
import { FakeRefusal, type FakeIbmVpc } from './fake-ibmvpc.js';
import { FakeIbmVpcUsageError } from './fake-ibmvpc-settings.js';
import { checkBootFailure, checkFault, type FakeFault } from './fault-rules.js';
import { json, vpcErrorReply, VpcError, type ApiRequest, type HttpReply } from './http-kit.js';
import { platformErrorReply, platformRoute } from './platform-routes.js';
import { checkVersion, vpcRoute } from './vpc-routes.js';

/** Where the two servers listen, once they do. */
export interface FakeIbmVpcUrls {
  /** IAM, the VPC API (`/v1`), the Resource Manager and Controller (`/v2`) and the control API (`/_fake`). */
  readonly main: string;
  /** Cloud Object Storage (S3, path style). */
  readonly cos: string;
}

const DEFAULT_VPC_CODES: Readonly<Record<number, string>> = {
  400: 'bad_request',
  401: 'not_authorized',
  403: 'forbidden',
  404: 'not_found',
  409: 'conflict',
  429: 'rate_limit_exceeded',
  500: 'internal_error',
  502: 'bad_gateway',
  503: 'service_unavailable',
};

/**
 * The fake's two HTTP servers: the platform (IAM, the VPC API, the Resource Manager and
 * Controller, and the control API) and Cloud Object Storage. Every API call needs an IAM token;
 * every VPC call a valid `version` and `generation=2`. Calls are counted, faults injected by
 * count, latency added, as the settings say.
 */
export function createFakeIbmVpcServers(fake: FakeIbmVpc, urls: () => FakeIbmVpcUrls): { main: Server; cos: Server } {
  const main = createServer((incoming, outgoing) => void serve(incoming, outgoing, urls().main, (request) => handleMain(fake, request, urls)));
  const cos = createServer((incoming, outgoing) => void serve(incoming, outgoing, urls().cos, (request) => handleCos(fake, request)));
  return { main, cos };
}

async function serve(incoming: IncomingMessage, outgoing: ServerResponse, base: string, handle: (request: ApiRequest) => Promise<HttpReply>): Promise<void> {
  let reply: HttpReply;
  try {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const url = new URL(incoming.url ?? '/', 'http://fake.invalid');
    const segments = url.pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
    reply = await handle({ method: incoming.method ?? 'GET', segments, query: url.searchParams, headers: incoming.headers, body: Buffer.concat(chunks), base });
  } catch (error) {
    reply = json({ error: { message: `the fake failed: ${String(error)}` } }, 500);
  }
  outgoing.writeHead(reply.status, reply.headers ?? {});
  outgoing.end(incoming.method === 'HEAD' ? undefined : reply.body);
}

function outcome(status: number): 'ok' | 'failed' | 'throttled' {
  if (status === 429) return 'throttled';
  return status >= 400 ? 'failed' : 'ok';
}

/** Holds the call for its latency, then serves it unless a fault hits it; counts it either way. */
async function run(fake: FakeIbmVpc, operation: string, refuse: (fault: FakeFault) => HttpReply, serveCall: () => HttpReply): Promise<HttpReply> {
  const latency = fake.latencyOf(operation);
  if (latency > 0) await sleep(latency);
  const fault = fake.takeFault(operation);
  const reply = fault ? refuse(fault) : serveCall();
  fake.count(operation, outcome(reply.status));
  return reply;
}

async function handleMain(fake: FakeIbmVpc, request: ApiRequest, urls: () => FakeIbmVpcUrls): Promise<HttpReply> {
  const [first] = request.segments;
  if (first === '_fake') return control(fake, request, urls);
  if (first === 'v1') {
    const route = vpcRoute(request.method, request.segments.slice(1));
    const refuse = (fault: FakeFault): HttpReply =>
      vpcErrorReply(new VpcError(fault.status, fault.code ?? DEFAULT_VPC_CODES[fault.status] ?? 'error', fault.message ?? `Injected failure of ${route.operation}.`, undefined, fault.status === 429 ? { 'Retry-After': String(fault.retryAfterS ?? 1) } : {}));
    return run(fake, route.operation, refuse, () => {
      try {
        if (!fake.iam.authorizes(header(request, 'authorization'))) throw new VpcError(401, 'not_authorized', 'The request is not authorized: give a valid IAM access token.');
        const legacyAddresses = checkVersion(request.query, new Date(fake.now()));
        return route.handle(fake, request, { fake, root: `${request.base}/v1`, legacyAddresses });
      } catch (error) {
        if (error instanceof VpcError) return vpcErrorReply(error);
        if (error instanceof FakeRefusal) return vpcErrorReply(new VpcError(error.status, error.code, error.message, error.target));
        throw error;
      }
    });
  }
  const route = platformRoute(request.method, request.segments);
  if (!route) return json({ errors: [{ code: 'not_found', message: `Nothing is served at /${request.segments.join('/')}.` }] }, 404);
  const refuse = (fault: FakeFault): HttpReply => {
    const reply = route.operation.startsWith('iam.')
      ? json({ errorCode: fault.code ?? 'BXNIM0500E', errorMessage: fault.message ?? 'Injected failure.' }, fault.status)
      : platformErrorReply(fault.status, fault.code ?? `RC-${fault.status}`, fault.message ?? `Injected failure of ${route.operation}.`);
    return fault.status === 429 ? { ...reply, headers: { ...reply.headers, 'Retry-After': String(fault.retryAfterS ?? 1) } } : reply;
  };
  return run(fake, route.operation, refuse, () => {
    if (route.authenticated && !fake.iam.authorizes(header(request, 'authorization'))) return platformErrorReply(401, 'RC-401', 'The IAM token is missing, expired or not valid.');
    return route.handle(fake, request);
  });
}

async function handleCos(fake: FakeIbmVpc, request: ApiRequest): Promise<HttpReply> {
  const route = cosRoute(request.method, request.segments, request.query);
  const refuse = (fault: FakeFault): HttpReply => {
    const reply = cosErrorReply(new CosError(fault.status, fault.code ?? (fault.status === 429 || fault.status === 503 ? 'SlowDown' : 'InternalError'), fault.message ?? `Injected failure of ${route.operation}.`));
    return fault.status === 429 ? { ...reply, headers: { ...reply.headers, 'Retry-After': String(fault.retryAfterS ?? 1) } } : reply;
  };
  return run(fake, route.operation, refuse, () => {
    try {
      if (!fake.iam.authorizes(header(request, 'authorization'))) throw new CosError(403, 'AccessDenied', 'Access Denied: the IAM token is missing, expired or not valid.');
      return route.handle(fake, request);
    } catch (error) {
      if (error instanceof CosError) return cosErrorReply(error);
      throw error;
    }
  });
}

function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

// ---- the control API ----------------------------------------------------------------------------

function control(fake: FakeIbmVpc, request: ApiRequest, urls: () => FakeIbmVpcUrls): HttpReply {
  const path = request.segments.slice(1).join('/');
  const body = (): unknown => (request.body.length === 0 ? {} : JSON.parse(request.body.toString('utf8')));
  try {
    switch (`${request.method} ${path}`) {
      case 'GET calls':
        return json(fake.calls());
      case 'DELETE calls':
        return json(fake.resetCalls());
      case 'GET calls/log':
        return json(fake.callLog());
      case 'GET settings':
        return json(fake.settings());
      case 'POST settings':
        return json(fake.configure(body() as never));
      case 'GET faults':
        return json(fake.faultRules());
      case 'POST faults':
        return json(fake.injectFault(checkFault(body())));
      case 'POST boot-failures':
        return json(fake.failBoots(checkBootFailure(body())));
      case 'DELETE faults':
        fake.clearFaults();
        return json({});
      case 'GET state':
        return json(fake.state());
      case 'POST instances':
        return json(fake.addInstance(body() as never));
      case 'POST floating-ips':
        return json(fake.addFloatingIp(body() as never));
      case 'POST images':
        return json(fake.addImage(body() as never));
      case 'DELETE tokens':
        return json({ revoked: fake.iam.revokeAll() });
      case 'GET credentials':
        return { status: 200, headers: { 'Content-Type': 'text/plain' }, body: fakeCredentialsFile(urls()) };
      case 'POST reset':
        fake.reset();
        return json({});
      default:
        return json({ error: { message: `no control endpoint ${request.method} /_fake/${path}` } }, 404);
    }
  } catch (error) {
    if (error instanceof FakeIbmVpcUsageError || error instanceof SyntaxError) return json({ error: { message: error.message } }, 400);
    throw error;
  }
}
