import { randomUUID } from 'node:crypto';
import { createServer as createHttpServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import type { DeleteOptions } from './cluster-context.js';
import { parseApiPath, type ApiTarget } from './api-path.js';
import { discoveryDocument, FAKE_VERSION } from './discovery.js';
import { FakeK8sUsageError } from './fake-k8s-settings.js';
import type { FakeKubernetes } from './fake-k8s.js';
import { toTable, wantsTable } from './k8s-table.js';
import { badRequest, gone, KubeApiError, methodNotAllowed, REASON_BY_STATUS, tooManyRequests, unauthorized, type StatusReason } from './k8s-status.js';
import { createObject, deleteObject, getObject, listObjects, selectObjects, selection, watchEvent } from './kube-api.js';
import { authorize, type KubeUser } from './rbac-authorizer.js';
import { storeKey } from './resource-kinds.js';

/** Bodies beyond this are refused, as the API server's 3 MiB request limit does. */
const MAX_BODY_BYTES = 3 * 1024 * 1024;
/** A watch without `timeoutSeconds` ends after this long (the API server picks 30–60 min). */
const DEFAULT_WATCH_SECONDS = 1800;

type Json = Record<string, unknown>;

interface Reply {
  readonly status: number;
  readonly body?: unknown;
  readonly text?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** What the server needs to know about itself. */
export interface FakeK8sServerOptions {
  /** PEM certificate and key: serve HTTPS. */
  readonly tls?: { readonly cert: string; readonly key: string };
  /** `https://127.0.0.1:6443`, once listening (for discovery and the kubeconfig). */
  readonly url: () => string;
  /** The kubeconfig for this fake, served at `/_fake/kubeconfig`. */
  readonly kubeconfig: () => string;
}

/** The HTTP(S) server of a fake Kubernetes, and a way to end its open watches. */
export interface FakeK8sServer {
  readonly server: Server;
  /** Ends every watch in progress (as an API server restart would). */
  closeWatches(): void;
}

/**
 * An HTTP(S) server (not yet listening) answering the Kubernetes API from `fake` as kubectl and
 * the client libraries use it — discovery, get, list (label and field selectors, paging), watch,
 * create, delete, `Table` output, `Status` errors, bearer tokens and RBAC for service accounts —
 * and the control plane under `/_fake` (JSON, no authentication).
 */
export function createFakeK8sServer(fake: FakeKubernetes, options: FakeK8sServerOptions): FakeK8sServer {
  const watches = new Set<ServerResponse>();
  const listener = (request: IncomingMessage, response: ServerResponse) => {
    handle(fake, options, request, response, watches).catch((error: unknown) => {
      send(response, { status: 500, body: new KubeApiError(500, 'InternalError', `the fake failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`).toStatus() });
    });
  };
  const server = options.tls ? (createHttpsServer({ cert: options.tls.cert, key: options.tls.key }, listener) as unknown as Server) : createHttpServer(listener);
  return {
    server,
    closeWatches() {
      for (const response of watches) response.end();
      watches.clear();
    },
  };
}

async function handle(fake: FakeKubernetes, options: FakeK8sServerOptions, request: IncomingMessage, response: ServerResponse, watches: Set<ServerResponse>): Promise<void> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', 'http://fake-k8s');
  const segments = url.pathname.split('/').filter((segment) => segment !== '').map((segment) => decodeURIComponent(segment));
  const { body, tooLarge } = await readBody(request);
  if (segments[0] === '_fake') return send(response, control(fake, options, method, segments.slice(1), body));
  if (['healthz', 'livez', 'readyz'].includes(segments[0] ?? '') && segments.length === 1) return send(response, { status: 200, text: 'ok' });

  const settings = fake.settings();
  const serverAddress = new URL(options.url()).host;
  if (method === 'GET' && segments.length === 1 && segments[0] === 'version') return send(response, { status: 200, body: FAKE_VERSION });
  if (method === 'GET' && (segments[0] === 'openapi' || segments[0] === 'swagger.json')) return send(response, { status: 404, body: notServed().toStatus() });
  const discovery = method === 'GET' ? discoveryDocument(segments, settings.openshift, serverAddress) : undefined;
  if (discovery) return send(response, { status: 200, body: discovery });

  const user = fake.authenticate(bearerToken(request));
  if (!user) return send(response, errorReply(unauthorized()));
  const target = parseApiPath(segments, settings.openshift);
  if (!target) return send(response, errorReply(notServed()));
  const watching = method === 'GET' && target.name === '' && ['true', '1'].includes(url.searchParams.get('watch') ?? '');
  const verb = verbOf(method, target, watching);
  const operation = `${verb} ${storeKey(target.kind)}${target.subresource ? `/${target.subresource}` : ''}`;

  const fault = fake.takeFault(operation);
  if (fault?.status === 429) {
    fake.count(`${operation} throttled`);
    return send(response, errorReply(tooManyRequests(fault.retryAfterS ?? 1, fault.message)));
  }
  fake.count(operation);
  if (settings.latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, settings.latencyMs));
  try {
    if (fault) throw new KubeApiError(fault.status, (fault.reason as StatusReason | undefined) ?? REASON_BY_STATUS[fault.status] ?? 'InternalError', fault.message ?? `injected fault: ${operation}`);
    if (tooLarge) throw new KubeApiError(413, 'RequestEntityTooLarge', 'Request entity too large: limit is 3145728');
    if (verb === 'unsupported') throw methodNotAllowed();
    if (target.subresource !== '' && !(target.subresource === 'status' && verb === 'get')) throw notServed();
    authorize(fake.store, user, {
      verb,
      group: target.kind.group,
      resource: `${target.kind.resource}${target.subresource ? `/${target.subresource}` : ''}`,
      namespace: target.namespace,
      name: target.name,
    });
    if (verb === 'watch') return serveWatch(fake, target, url.searchParams, request, response, watches);
    send(response, serve(fake, target, verb, url.searchParams, body, user, request.headers.accept));
  } catch (error) {
    fake.count(`${operation} failed`);
    if (error instanceof KubeApiError) return send(response, errorReply(error));
    throw error;
  }
}

function verbOf(method: string, target: ApiTarget, watching: boolean): string {
  if (method === 'GET') return target.name !== '' ? 'get' : watching ? 'watch' : 'list';
  if (method === 'POST' && target.name === '') return 'create';
  if (method === 'DELETE' && target.name !== '') return 'delete';
  if (method === 'PUT' && target.name !== '') return 'update';
  if (method === 'PATCH' && target.name !== '') return 'patch';
  return 'unsupported';
}

function serve(fake: FakeKubernetes, target: ApiTarget, verb: string, query: URLSearchParams, body: Buffer, user: KubeUser, accept: string | undefined): Reply {
  const { kind, namespace, name } = target;
  const table = wantsTable(accept);
  switch (verb) {
    case 'get': {
      const object = getObject(fake, kind, namespace, name);
      return { status: 200, body: table ? toTable(kind.resource, [object], { resourceVersion: object.metadata.resourceVersion }, query.get('includeObject')) : object };
    }
    case 'list': {
      const list = listObjects(fake, kind, namespace, query);
      if (!table || !Array.isArray(list.items)) return { status: 200, body: list };
      const items = (list.items as Json[]).map((item) => ({ kind: kind.kind, apiVersion: list.apiVersion, ...item }) as never);
      return { status: 200, body: toTable(kind.resource, items, list.metadata as Json, query.get('includeObject')) };
    }
    case 'create': {
      const input = jsonObject(body);
      const dryRun = query.getAll('dryRun');
      if (dryRun.some((value) => value !== 'All')) throw badRequest(`unsupported dry run directive ${JSON.stringify(dryRun)}`);
      return { status: 201, body: createObject(fake, kind, namespace, input, user, dryRun.length > 0) };
    }
    case 'delete':
      return { status: 200, body: deleteObject(fake, kind, namespace, name, deleteOptions(query, body)) };
    default:
      throw methodNotAllowed();
  }
}

/** A watch: a stream of `{"type": …, "object": …}` lines until `timeoutSeconds` or the client leaves. */
function serveWatch(fake: FakeKubernetes, target: ApiTarget, query: URLSearchParams, request: IncomingMessage, response: ServerResponse, watches: Set<ServerResponse>): void {
  const chosen = selection(target.kind, target.namespace, query);
  const from = query.get('resourceVersion');
  const since = from === null || from === '' || from === '0' ? undefined : Number(from);
  if (since !== undefined && !Number.isInteger(since)) throw badRequest(`invalid resource version: ${from}`);
  const backlog = since === undefined ? undefined : fake.store.eventsSince(since);
  response.writeHead(200, { 'Content-Type': 'application/json', 'Cache-Control': 'no-cache, private', 'Audit-Id': randomUUID(), 'Transfer-Encoding': 'chunked' });
  // As the API server: the answer starts at once, so the client knows its watch is on.
  response.flushHeaders();
  const write = (type: string, object: unknown) => response.write(`${JSON.stringify({ type, object })}\n`);
  if (since !== undefined && !backlog) {
    write('ERROR', gone(`too old resource version: ${since} (${fake.store.revision})`).toStatus());
    response.end();
    return;
  }
  let last = since ?? fake.store.revision;
  const deliver = (event: Parameters<typeof watchEvent>[2]) => {
    if (event.revision <= last) return;
    last = event.revision;
    const seen = watchEvent(target.kind, chosen, event);
    if (seen) write(seen.type, seen.object);
  };
  const unsubscribe = fake.store.subscribe(deliver);
  watches.add(response);
  const seconds = Number(query.get('timeoutSeconds') ?? DEFAULT_WATCH_SECONDS);
  const timer = setTimeout(() => response.end(), Math.max(0, Math.min(seconds, DEFAULT_WATCH_SECONDS)) * 1000);
  const finish = () => {
    clearTimeout(timer);
    unsubscribe();
    watches.delete(response);
  };
  response.on('close', finish);
  request.on('close', finish);
  if (backlog) for (const event of backlog) deliver(event);
  else for (const object of selectObjects(fake, target.kind, chosen)) write('ADDED', object);
}

function deleteOptions(query: URLSearchParams, body: Buffer): DeleteOptions {
  const input = body.length > 0 ? jsonObject(body) : {};
  const grace = query.get('gracePeriodSeconds') ?? input.gracePeriodSeconds;
  const policy = query.get('propagationPolicy') ?? input.propagationPolicy;
  return {
    ...(typeof policy === 'string' ? { propagationPolicy: policy } : {}),
    ...(grace !== undefined && grace !== null ? { gracePeriodSeconds: Number(grace) } : {}),
  };
}

function jsonObject(body: Buffer): Json {
  if (body.length === 0) throw badRequest('the body of the request was in an unknown format - accepted media types include: application/json, application/yaml, application/vnd.kubernetes.protobuf');
  let data: unknown;
  try {
    data = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw badRequest(`couldn't get version/kind; json parse error: ${(error as Error).message}`);
  }
  if (data === null || typeof data !== 'object' || Array.isArray(data)) throw badRequest('Object \'Kind\' is missing in the request body');
  return data as Json;
}

function bearerToken(request: IncomingMessage): string | undefined {
  const header = request.headers.authorization;
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function notServed(): KubeApiError {
  return new KubeApiError(404, 'NotFound', 'the server could not find the requested resource', {});
}

function errorReply(error: KubeApiError): Reply {
  return { status: error.code, body: error.toStatus(), headers: error.headers };
}

// ---- control plane ----------------------------------------------------------------------------

function control(fake: FakeKubernetes, options: FakeK8sServerOptions, method: string, path: readonly string[], body: Buffer): Reply {
  let input: unknown;
  if (body.length > 0) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      return { status: 400, body: { error: { code: 'BadRequest', message: 'the request body is not valid JSON' } } };
    }
  }
  const route = `${method} /${path.join('/')}`;
  try {
    switch (route) {
      case 'GET /':
        return { status: 200, body: { name: 'nodepool-fake-k8s', about: 'A fake Kubernetes (and OpenShift) API server for Nodepool tests and benchmarks. Not Kubernetes.', settings: fake.settings() } };
      case 'GET /calls':
        return { status: 200, body: fake.calls() };
      case 'DELETE /calls':
        return { status: 200, body: fake.resetCalls() };
      case 'GET /calls/log':
        return { status: 200, body: fake.callLog() };
      case 'GET /settings':
        return { status: 200, body: fake.settings() };
      case 'POST /settings':
        return { status: 200, body: fake.configure(input ?? {}) };
      case 'POST /reset':
        fake.reset();
        return { status: 204 };
      case 'GET /faults':
        return { status: 200, body: fake.faultRules() };
      case 'POST /faults':
        return { status: 201, body: fake.injectFault(input) };
      case 'POST /pod-failures':
        return { status: 201, body: fake.failPods(input) };
      case 'DELETE /faults':
        fake.clearFaults();
        return { status: 204 };
      case 'GET /state':
        return { status: 200, body: fake.state() };
      case 'GET /kubeconfig':
        return { status: 200, text: options.kubeconfig(), headers: { 'Content-Type': 'application/yaml' } };
      case 'POST /namespaces':
        return { status: 201, body: fake.addNamespace(input as never) };
      case 'POST /pods':
        return { status: 201, body: fake.addPod(input as never) };
      default:
        return { status: 404, body: { error: { code: 'UnknownRoute', message: `no such control route: ${route}` } } };
    }
  } catch (error) {
    if (error instanceof FakeK8sUsageError || error instanceof TypeError) return { status: 400, body: { error: { code: 'BadRequest', message: error.message } } };
    throw error;
  }
}

function readBody(request: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    request.on('end', () => resolve({ body: size > MAX_BODY_BYTES ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > MAX_BODY_BYTES }));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, reply: Reply): void {
  if (response.headersSent || response.destroyed) return;
  const text = reply.text ?? (reply.body === undefined ? undefined : JSON.stringify(reply.body));
  const payload = text === undefined ? undefined : Buffer.from(text, 'utf8');
  const headers: Record<string, string | number> = {
    'Content-Type': reply.text !== undefined ? 'text/plain; charset=utf-8' : 'application/json',
    'Cache-Control': 'no-cache, private',
    'Audit-Id': randomUUID(),
    ...reply.headers,
    'Content-Length': payload?.length ?? 0,
  };
  response.writeHead(reply.status, headers).end(reply.status === 204 ? undefined : payload);
}
