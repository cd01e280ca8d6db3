import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { ComputeError, defaultFault } from './compute-error.js';
import type { FakeGce } from './fake-gce.js';
import { checkFaultRule, checkRuleKeys, type CountedFakeState } from '@nodepool/core/testing';
import { FakeGceUsageError, type FakeGceBootFailure, type FakeGceFault } from './fault-rules.js';

/** The audience and subject token of the fake's workload identity credentials. */
export const FAKE_GCE_AUDIENCE = '//iam.googleapis.com/projects/123456789012/locations/global/workloadIdentityPools/nodepool/providers/fake-gce';
export const FAKE_GCE_SUBJECT_TOKEN = 'fake-gce-subject-token';

/** What the HTTP side keeps beside the model: counters, faults, tokens. */
export type FakeGceServerState = CountedFakeState<FakeGce, FakeGceFault>;

/**
 * Google's workload identity federation credentials for this fake, as a file for
 * `GOOGLE_APPLICATION_CREDENTIALS`: google-auth-library reads the subject token from the fake
 * and exchanges it at the fake's token endpoint (RFC 8693), as it would at sts.googleapis.com.
 */
export function fakeGceCredentials(url: string): Record<string, unknown> {
  return {
    type: 'external_account',
    audience: FAKE_GCE_AUDIENCE,
    subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    token_url: `${url}/token`,
    credential_source: { url: `${url}/_fake/subject-token`, format: { type: 'text' } },
    // Where the library looks up the project of the pool (Cloud Resource Manager v1).
    cloud_resource_manager_url: `${url}/v1/projects/`,
  };
}

type Json = Record<string, unknown>;
type Route = { name: string; run: (body: Json, query: URLSearchParams) => unknown };

/**
 * The fake's HTTP server: Compute REST v1 under `/compute/v1/` (bearer tokens required), the
 * token endpoint at `/token`, and the control API under `/_fake/`.
 */
export function createFakeGceServer(state: FakeGceServerState, onControl: (method: string, path: string, body: unknown) => unknown): Server {
  const bucket = { tokens: 0, at: Date.now() };
  return createServer((request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: { code: 500, message: String(error) } });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(request.url ?? '/', 'http://fake');
    const method = request.method ?? 'GET';

    if (url.pathname.startsWith('/_fake/')) {
      if (url.pathname === '/_fake/subject-token') {
        response.writeHead(200, { 'Content-Type': 'text/plain' }).end(FAKE_GCE_SUBJECT_TOKEN);
        return;
      }
      try {
        const body: unknown = raw === '' ? undefined : JSON.parse(raw);
        const answer = onControl(method, url.pathname.slice('/_fake/'.length), body);
        if (answer === undefined) response.writeHead(204).end();
        else send(response, 200, answer);
      } catch (error) {
        const status = error instanceof FakeGceUsageError || error instanceof SyntaxError ? 400 : error instanceof ComputeError ? error.status : 500;
        send(response, status, { error: { code: status, message: (error as Error).message } });
      }
      return;
    }

    if (url.pathname === '/token' && method === 'POST') {
      count('sts.token');
      return tokenExchange(new URLSearchParams(raw), response);
    }

    if (url.pathname.startsWith('/v1/projects/') && method === 'GET') {
      // Cloud Resource Manager's projects.get, which google-auth-library asks for the project ID.
      count('projects.get');
      const number = url.pathname.slice('/v1/projects/'.length);
      send(response, 200, { projectNumber: number, projectId: 'nodepool-test', lifecycleState: 'ACTIVE', name: 'nodepool-test', createTime: '2024-01-01T00:00:00.000Z', parent: { type: 'organization', id: '1' } });
      return;
    }

    const route = url.pathname.startsWith('/compute/v1/') ? routeOf(method, url.pathname.slice('/compute/v1/'.length).split('/').map(decodeURIComponent)) : undefined;
    if (!route) {
      send(response, 404, { error: { code: 404, message: `The requested URL ${url.pathname} was not found on this server.`, errors: [{ message: 'Not Found', domain: 'global', reason: 'notFound' }] } });
      return;
    }
    const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || !validToken(token, state.tokensValidFrom)) {
      count(`${route.name}.unauthenticated`);
      const error = new ComputeError(401, 'authError', 'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.');
      send(response, 401, error.body(), { 'WWW-Authenticate': 'Bearer realm="https://accounts.google.com/"' });
      return;
    }
    const { latencyMs, ratePerSecond } = state.fake.settings;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (ratePerSecond > 0 && !takeToken(ratePerSecond)) return throttle(route.name, 403, response);
    const fault = state.faults.take((rule) => rule.operation === route.name || rule.operation === '*');
    if (fault) {
      const defaults = defaultFault(fault.status);
      const reason = fault.reason ?? defaults.reason;
      if ((fault.status === 403 || fault.status === 429) && reason === 'rateLimitExceeded') return throttle(route.name, fault.status, response, fault.message);
      count(route.name, true);
      const error = new ComputeError(fault.status, reason, fault.message ?? defaults.message, reason === 'quotaExceeded' ? 'usageLimits' : defaults.domain);
      send(response, fault.status, error.body());
      return;
    }
    let body: Json = {};
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as Json;
      } catch {
        count(route.name, true);
        send(response, 400, new ComputeError(400, 'parseError', 'This API does not support parsing form-encoded input.').body());
        return;
      }
    }
    try {
      const answer = route.run(body, url.searchParams);
      count(route.name);
      send(response, 200, answer);
    } catch (error) {
      if (!(error instanceof ComputeError)) throw error;
      count(route.name, true);
      send(response, error.status, error.body());
    }
  }

  function count(name: string, failed = false): void {
    state.calls[name] = (state.calls[name] ?? 0) + 1;
    state.callLog.push(name);
    if (failed) state.calls[`${name}.failed`] = (state.calls[`${name}.failed`] ?? 0) + 1;
  }

  function throttle(name: string, status: number, response: ServerResponse, message?: string): void {
    state.calls[`${name}.throttled`] = (state.calls[`${name}.throttled`] ?? 0) + 1;
    state.callLog.push(`${name}.throttled`);
    const defaults = defaultFault(status);
    send(response, status, new ComputeError(status, 'rateLimitExceeded', message ?? defaults.message, 'usageLimits').body());
  }

  function takeToken(rate: number): boolean {
    const now = Date.now();
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** RFC 8693 token exchange, as Google's STS answers it. */
  function tokenExchange(form: URLSearchParams, response: ServerResponse): void {
    const fail = (description: string): void => send(response, 400, { error: 'invalid_request', error_description: description });
    if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:token-exchange') return fail('Invalid value for "grant_type".');
    if (form.get('requested_token_type') !== 'urn:ietf:params:oauth:token-type:access_token') return fail('Invalid value for "requested_token_type".');
    if (form.get('audience') !== FAKE_GCE_AUDIENCE) return send(response, 400, { error: 'invalid_target', error_description: 'The target service indicated by the "audience" parameters is invalid.' });
    if (form.get('subject_token') !== FAKE_GCE_SUBJECT_TOKEN) return send(response, 400, { error: 'invalid_grant', error_description: 'The subject token is invalid.' });
    const ttl = state.fake.settings.tokenTtlS;
    const accessToken = issueToken(Date.now(), ttl);
    send(response, 200, { access_token: accessToken, issued_token_type: 'urn:ietf:params:oauth:token-type:access_token', token_type: 'Bearer', expires_in: ttl });
  }

  /** Compute v1's paths below `/compute/v1/`, by method; undefined for anything else. */
  function routeOf(method: string, parts: string[]): Route | undefined {
    const fake = state.fake;
    const [projects, project, scope, scopeName, collection, item, subItem] = parts;
    if (projects !== 'projects' || !project) return undefined;
    if (scope === 'zones' && scopeName) {
      const zone = scopeName;
      if (collection === 'instances') {
        if (item === undefined && method === 'GET') return { name: 'instances.list', run: (_, query) => page('compute#instanceList', fake.listInstances(project, zone), query, `projects/${project}/zones/${zone}/instances`) };
        if (item === undefined && method === 'POST') return { name: 'instances.insert', run: (body, query) => fake.insertInstance(project, zone, body, query.get('requestId')) };
        if (item && subItem === undefined && method === 'GET') return { name: 'instances.get', run: () => fake.getInstance(project, zone, item) };
        if (item && subItem === undefined && method === 'DELETE') return { name: 'instances.delete', run: () => fake.deleteInstance(project, zone, item) };
      }
      if (collection === 'operations' && method === 'GET') {
        if (item === undefined) return { name: 'zoneOperations.list', run: (_, query) => page('compute#operationList', fake.listOperations(project, zone), query, `projects/${project}/zones/${zone}/operations`) };
        return { name: 'zoneOperations.get', run: () => fake.getOperation(project, zone, item) };
      }
      if (collection === 'machineTypes' && method === 'GET') {
        if (item === undefined) return { name: 'machineTypes.list', run: (_, query) => page('compute#machineTypeList', fake.listMachineTypes(project, zone), query, `projects/${project}/zones/${zone}/machineTypes`) };
        return { name: 'machineTypes.get', run: () => fake.getMachineType(project, zone, item) };
      }
      return undefined;
    }
    if (scope === 'global' && scopeName === 'images' && method === 'GET') {
      if (collection === undefined) return { name: 'images.list', run: (_, query) => page('compute#imageList', fake.listImages(project), query, `projects/${project}/global/images`) };
      if (collection === 'family' && item) return { name: 'images.getFromFamily', run: () => fake.getImageFromFamily(project, item) };
      return { name: 'images.get', run: () => fake.getImage(project, collection) };
    }
    if (scope === 'regions' && scopeName && collection === undefined && method === 'GET') return { name: 'regions.get', run: () => fake.getRegion(project, scopeName) };
    return undefined;
  }
}

/**
 * Access tokens are signed rather than remembered, with a key every fake shares: a token any
 * fake of the process issued is good at every other (so one credentials file serves them all).
 * `ya29.fakegce.<issued ms>.<expires ms>.<random>.<signature>`.
 */
const TOKEN_KEY = 'nodepool-fake-gce-token-key';

function sign(payload: string): string {
  return createHmac('sha256', TOKEN_KEY).update(payload).digest('base64url');
}

function issueToken(now: number, ttlS: number): string {
  const payload = `ya29.fakegce.${now}.${now + ttlS * 1000}.${randomBytes(12).toString('base64url')}`;
  return `${payload}.${sign(payload)}`;
}

function validToken(token: string, validFrom: number): boolean {
  const cut = token.lastIndexOf('.');
  const payload = token.slice(0, cut);
  const [prefix, kind, issued, expires] = payload.split('.');
  if (prefix !== 'ya29' || kind !== 'fakegce') return false;
  const expected = Buffer.from(sign(payload));
  const given = Buffer.from(token.slice(cut + 1));
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  return Number(issued) >= validFrom && Number(expires) > Date.now();
}

/** Compute's list answer: `maxResults` per page (default and at most 500), `pageToken` to go on. */
function page(kind: string, items: Json[], query: URLSearchParams, path: string): Json {
  const max = Math.min(500, Number(query.get('maxResults') ?? 500));
  if (!Number.isInteger(max) || max < 0) throw new ComputeError(400, 'invalid', `Invalid value for field 'maxResults': '${query.get('maxResults')}'. Must be less than or equal to 500`);
  const token = query.get('pageToken');
  const start = token ? Number(Buffer.from(token, 'base64url').toString('utf8')) : 0;
  if (!Number.isInteger(start) || start < 0) throw new ComputeError(400, 'invalid', `Invalid value for field 'pageToken': '${token}'.`);
  const slice = items.slice(start, start + max);
  const next = start + max < items.length ? Buffer.from(String(start + max)).toString('base64url') : undefined;
  return {
    kind,
    id: path,
    ...(slice.length > 0 ? { items: slice } : {}),
    ...(next ? { nextPageToken: next } : {}),
    selfLink: `https://www.googleapis.com/compute/v1/${path}`,
  };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeGceFault {
  return checkFaultRule<FakeGceFault>(value, { keys: ['operation', 'status', 'reason', 'message', 'first', 'every'], example: 'instances.insert' }, FakeGceUsageError);
}

/** Checks a boot failure from the control API. */
export function checkBootFailure(value: unknown): FakeGceBootFailure {
  const failure = checkRuleKeys(value, ['mode', 'code', 'message', 'first', 'every'], 'boot failure', FakeGceUsageError) as FakeGceBootFailure;
  if (failure.mode !== undefined && failure.mode !== 'operation' && failure.mode !== 'terminated') throw new FakeGceUsageError('mode must be operation or terminated');
  return failure;
}
