import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import { ArmError, defaultFault } from './arm-error.js';
import { FakeAzure, type ArmReply, type AsyncOperation } from './fake-azure.js';
import { checkFaultRule, checkRuleKeys, type CountedFakeState } from '@nodepool/core/testing';
import { FakeAzureUsageError, type FakeAzureBootFailure, type FakeAzureFault } from './fault-rules.js';

/** What the HTTP side keeps beside the model: counters, faults. */
export type FakeAzureServerState = CountedFakeState<FakeAzure, FakeAzureFault>;

type Json = Record<string, any>;
type Handler = (body: Json, query: URLSearchParams) => ArmReply | Json;
interface Route {
  readonly name: string;
  readonly run: Handler;
}

/**
 * The fake's HTTPS server: Microsoft identity platform's token endpoint (client credentials) and
 * OpenID metadata under `/<tenant>/`, Azure Resource Manager under `/subscriptions/` (bearer
 * tokens and `api-version` required), page blobs of disk uploads under `/md-…/`, and the
 * control API under `/_fake/`.
 */
export function createFakeAzureServer(state: FakeAzureServerState, tls: { cert: string; key: string }, onControl: (method: string, path: string, body: unknown) => unknown): Server {
  const bucket = { tokens: 0, at: Date.now() };
  return createServer({ cert: tls.cert, key: tls.key }, (request, response) => {
    void handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) send(response, 500, { error: { code: 'InternalServerError', message: String(error) } });
    });
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const url = new URL(request.url ?? '/', 'https://fake');
    const method = request.method ?? 'GET';
    const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);

    if (parts[0] === '_fake') {
      try {
        const text = raw.toString('utf8');
        const answer = onControl(method, parts.slice(1).join('/'), text === '' ? undefined : JSON.parse(text));
        if (answer === undefined) response.writeHead(204).end();
        else send(response, 200, answer);
      } catch (error) {
        const status = error instanceof FakeAzureUsageError || error instanceof SyntaxError ? 400 : error instanceof ArmError ? error.status : 500;
        send(response, status, { error: { code: 'BadRequest', message: (error as Error).message } });
      }
      return;
    }
    if (parts[0]?.startsWith('md-')) return putPage(url, request, raw, response);
    if (parts[0] !== 'subscriptions') return identity(method, parts, new URLSearchParams(raw.toString('utf8')), response);

    // ---- Azure Resource Manager ----
    const route = armRoute(method, parts, url.searchParams);
    const name = route?.name ?? 'unknown';
    const token = /^Bearer (.+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (token === undefined || !validToken(token, state.tokensValidFrom)) {
      count(`${name}.unauthenticated`);
      const error = token === undefined ? ['AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing."] : ['InvalidAuthenticationToken', 'The access token is invalid or has expired.'];
      send(response, 401, { error: { code: error[0], message: error[1] } }, { 'WWW-Authenticate': `Bearer authorization_uri="${state.url}/${state.fake.identity.tenantId}", error="invalid_token"` });
      return;
    }
    if (!url.searchParams.get('api-version')) {
      count(name, true);
      send(response, 400, { error: { code: 'MissingApiVersionParameter', message: 'The api-version query parameter (?api-version=) is required for all requests.' } });
      return;
    }
    if (parts[1]?.toLowerCase() !== state.fake.identity.subscriptionId) {
      count(name, true);
      send(response, 404, { error: { code: 'SubscriptionNotFound', message: `The subscription '${parts[1] ?? ''}' could not be found.` } });
      return;
    }
    if (!route) {
      count(name, true);
      send(response, 404, { error: { code: 'InvalidResourceType', message: `The resource type could not be found for the path '${url.pathname}'.` } });
      return;
    }
    const { latencyMs, ratePerSecond } = state.fake.settings;
    if (latencyMs > 0) await new Promise((resolve) => setTimeout(resolve, latencyMs));
    if (ratePerSecond > 0 && !takeToken(ratePerSecond)) return throttle(name, response, 1, defaultFault(429).message, 'TooManyRequests');
    const fault = state.faults.take((rule) => rule.operation === name || rule.operation === '*');
    if (fault) {
      const defaults = defaultFault(fault.status);
      if (fault.status === 429) return throttle(name, response, fault.retryAfterS ?? 1, fault.message ?? defaults.message, fault.code ?? defaults.code);
      count(name, true);
      send(response, fault.status, { error: { code: fault.code ?? defaults.code, message: fault.message ?? defaults.message } });
      return;
    }
    let body: Json = {};
    if (raw.length > 0) {
      try {
        body = JSON.parse(raw.toString('utf8')) as Json;
      } catch {
        count(name, true);
        send(response, 400, { error: { code: 'InvalidRequestContent', message: 'The request content was invalid and could not be deserialized.' } });
        return;
      }
    }
    try {
      const answer = route.run(body, url.searchParams);
      count(name);
      if (isReply(answer)) reply(answer, url.searchParams.get('api-version')!, response);
      else send(response, 200, answer);
    } catch (error) {
      if (!(error instanceof ArmError)) throw error;
      count(name, true);
      send(response, error.status, error.body(), error.headers);
    }
  }

  function count(name: string, failed = false): void {
    state.calls[name] = (state.calls[name] ?? 0) + 1;
    state.callLog.push(name);
    if (failed) state.calls[`${name}.failed`] = (state.calls[`${name}.failed`] ?? 0) + 1;
  }

  function throttle(name: string, response: ServerResponse, retryAfterS: number, message: string, code: string): void {
    state.calls[`${name}.throttled`] = (state.calls[`${name}.throttled`] ?? 0) + 1;
    state.callLog.push(`${name}.throttled`);
    send(response, 429, { error: { code, message } }, { 'Retry-After': String(retryAfterS) });
  }

  function takeToken(rate: number): boolean {
    const now = Date.now();
    bucket.tokens = Math.min(rate, bucket.tokens + ((now - bucket.at) / 1000) * rate);
    bucket.at = now;
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** A long-running operation's answer: 200/201/202 with `Azure-AsyncOperation` (and `Location` for 202). */
  function reply(answer: ArmReply, apiVersion: string, response: ServerResponse): void {
    const headers: Record<string, string> = {};
    const operation = answer.operation;
    if (operation) {
      headers['Azure-AsyncOperation'] = asyncUrl(operation, apiVersion);
      if (answer.status === 202) headers.Location = locationUrl(operation, apiVersion);
      if (state.fake.settings.retryAfterS > 0) headers['Retry-After'] = String(state.fake.settings.retryAfterS);
    }
    if (answer.body === undefined) {
      response.writeHead(answer.status, { ...armHeaders(), ...headers, 'Content-Length': '0' }).end();
      return;
    }
    send(response, answer.status, answer.body, headers);
  }

  function asyncUrl(operation: AsyncOperation, apiVersion: string): string {
    return `${state.url}/subscriptions/${state.fake.identity.subscriptionId}/providers/${operation.provider}/locations/${operation.location}/operations/${operation.id}?api-version=${apiVersion}`;
  }

  function locationUrl(operation: AsyncOperation, apiVersion: string): string {
    const sub = `${state.url}/subscriptions/${state.fake.identity.subscriptionId}/providers/${operation.provider}/locations/${operation.location}`;
    return operation.provider === 'Microsoft.Compute' ? `${sub}/operations/${operation.id}?p=${randomUUID()}&monitor=true&api-version=${apiVersion}` : `${sub}/operationResults/${operation.id}?api-version=${apiVersion}`;
  }

  /** Routes of ARM's paths: `/subscriptions/{s}/…`. */
  function armRoute(method: string, parts: string[], query: URLSearchParams): Route | undefined {
    const fake = state.fake;
    const lower = parts.map((part) => part.toLowerCase());
    // /subscriptions/{s}/resourcegroups/{rg}
    if (lower[2] === 'resourcegroups' && parts[3] && parts.length === 4) {
      const group = parts[3];
      if (method === 'GET') return { name: 'resourceGroups.get', run: () => fake.getGroup(group) };
      if (method === 'HEAD') return { name: 'resourceGroups.checkExistence', run: () => (fake.getGroup(group), { status: 204 }) };
      if (method === 'PUT') return { name: 'resourceGroups.createOrUpdate', run: (body) => fake.putGroup(group, body) };
      return undefined;
    }
    // /subscriptions/{s}/providers/{ns}/locations/{loc}/(usages|operations/{id}|operationResults/{id})
    if (lower[2] === 'providers' && lower[4] === 'locations' && parts[5]) {
      const location = parts[5];
      if (lower[3] === 'microsoft.compute' && lower[6] === 'usages' && method === 'GET') return { name: 'usages.list', run: (_, q) => page(fake.usages(location), q, parts) };
      if ((lower[6] === 'operations' || lower[6] === 'operationresults') && parts[7] && method === 'GET') {
        const operation = fake.operations.get(parts[7]);
        const monitor = lower[6] === 'operationresults' || query.get('monitor') === 'true';
        return { name: monitor ? 'operationResults.get' : 'operations.get', run: () => operationAnswer(operation, parts[7]!, monitor, query.get('api-version')!) };
      }
      return undefined;
    }
    // /subscriptions/{s}/providers/Microsoft.Compute/skus
    if (lower[2] === 'providers' && lower[3] === 'microsoft.compute' && lower[4] === 'skus' && method === 'GET') {
      const filter = /location\s+eq\s+'([^']+)'/i.exec(query.get('$filter') ?? '')?.[1];
      return { name: 'resourceSkus.list', run: (_, q) => page(fake.skus(filter?.toLowerCase()), q, parts) };
    }
    // /subscriptions/{s}/resourceGroups/{rg}/providers/{ns}/{type}[/{name}[/{sub}[/{subname}]]]
    if (lower[2] !== 'resourcegroups' || !parts[3] || lower[4] !== 'providers') return undefined;
    const group = parts[3];
    const [ns, type, name, child, childName] = [lower[5], lower[6], parts[7], lower[8], parts[9]];
    if (ns === 'microsoft.network' && type === 'virtualnetworks' && name && child === 'subnets' && childName && method === 'GET') {
      return { name: 'subnets.get', run: () => fake.getSubnet(group, name, childName) };
    }
    const kinds: Record<string, { name: string; provider: string; type: string; put?: (n: string, b: Json) => ArmReply; del?: (n: string) => ArmReply }> = {
      'microsoft.compute/virtualmachines': { name: 'virtualMachines', provider: 'Microsoft.Compute', type: 'virtualMachines', put: (n, b) => fake.putVm(group, n, b), del: (n) => fake.deleteVm(group, n) },
      'microsoft.compute/disks': { name: 'disks', provider: 'Microsoft.Compute', type: 'disks', put: (n, b) => fake.putDisk(group, n, b), del: (n) => fake.deleteDisk(group, n) },
      'microsoft.compute/images': { name: 'images', provider: 'Microsoft.Compute', type: 'images', put: (n, b) => fake.putImage(group, n, b), del: (n) => fake.deleteImage(group, n) },
      'microsoft.network/networkinterfaces': { name: 'networkInterfaces', provider: 'Microsoft.Network', type: 'networkInterfaces', put: (n, b) => fake.putNic(group, n, b), del: (n) => fake.deleteNic(group, n) },
      'microsoft.network/publicipaddresses': { name: 'publicIPAddresses', provider: 'Microsoft.Network', type: 'publicIPAddresses', put: (n, b) => fake.putPublicIp(group, n, b), del: (n) => fake.deletePublicIp(group, n) },
    };
    const kind = kinds[`${ns}/${type}`];
    if (!kind) return undefined;
    if (!name) return method === 'GET' ? { name: `${kind.name}.list`, run: (_, q) => page(fake.list(group, kind.provider, kind.type), q, parts) } : undefined;
    if (child === undefined) {
      if (method === 'GET') return { name: `${kind.name}.get`, run: () => fake.get(group, kind.provider, kind.type, name) };
      if (method === 'PUT') return { name: `${kind.name}.createOrUpdate`, run: (body) => kind.put!(name, body) };
      if (method === 'DELETE') return { name: `${kind.name}.delete`, run: () => kind.del!(name) };
      return undefined;
    }
    if (kind.name === 'disks' && method === 'POST' && child === 'begingetaccess') return { name: 'disks.grantAccess', run: (body) => fake.grantAccess(group, name, body, state.url) };
    if (kind.name === 'disks' && method === 'POST' && child === 'endgetaccess') return { name: 'disks.revokeAccess', run: () => fake.revokeAccess(group, name) };
    return undefined;
  }

  function operationAnswer(operation: AsyncOperation | undefined, id: string, monitor: boolean, apiVersion: string): ArmReply | Json {
    if (!operation) throw new ArmError(404, 'NotFound', `The operation '${id}' could not be found.`);
    if (!monitor) {
      return {
        name: operation.id,
        status: operation.status,
        startTime: operation.startTime,
        ...(operation.endTime ? { endTime: operation.endTime } : {}),
        ...(operation.error ? { error: operation.error } : {}),
        ...(operation.result && operation.status === 'Succeeded' ? { properties: { output: operation.result } } : {}),
      };
    }
    if (operation.status === 'InProgress') return { status: 202, operation } as ArmReply;
    if (operation.status === 'Failed') throw new ArmError(400, operation.error?.code ?? 'Failed', operation.error?.message ?? 'The operation failed.');
    void apiVersion;
    return { status: 200, body: operation.result ?? undefined };
  }

  /** ARM listings: `value`, and `nextLink` for the next page (`$skiptoken`). */
  function page(items: Json[], query: URLSearchParams, parts: string[]): Json {
    const size = state.fake.settings.pageSize;
    const start = Number(query.get('$skiptoken') ?? 0);
    const slice = items.slice(start, start + size);
    if (start + size >= items.length) return { value: slice };
    const next = new URLSearchParams(query);
    next.set('$skiptoken', String(start + size));
    return { value: slice, nextLink: `${state.url}/${parts.map(encodeURIComponent).join('/')}?${next.toString()}` };
  }

  /** Microsoft identity platform: OpenID metadata and the client-credentials token endpoint. */
  function identity(method: string, parts: string[], form: URLSearchParams, response: ServerResponse): void {
    const { tenantId, clientId, clientSecret } = state.fake.identity;
    const base = `${state.url}/${tenantId}`;
    if (method === 'GET' && parts[0] === 'common' && parts[1] === 'discovery' && parts[2] === 'instance') {
      count('identity.instanceDiscovery');
      const host = new URL(state.url).host;
      send(response, 200, { tenant_discovery_endpoint: `${base}/v2.0/.well-known/openid-configuration`, 'api-version': '1.1', metadata: [{ preferred_network: host, preferred_cache: host, aliases: [host] }] });
      return;
    }
    if (parts[0] !== tenantId && parts[0] !== undefined) {
      send(response, 400, { error: 'invalid_tenant', error_description: `AADSTS90002: Tenant '${parts[0]}' not found.` });
      return;
    }
    if (method === 'GET' && parts.slice(1).join('/') === 'v2.0/.well-known/openid-configuration') {
      count('identity.openidConfiguration');
      send(response, 200, {
        token_endpoint: `${base}/oauth2/v2.0/token`,
        token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
        jwks_uri: `${base}/discovery/v2.0/keys`,
        response_modes_supported: ['query', 'fragment', 'form_post'],
        subject_types_supported: ['pairwise'],
        id_token_signing_alg_values_supported: ['RS256'],
        response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
        scopes_supported: ['openid', 'profile', 'email', 'offline_access'],
        issuer: `${base}/v2.0`,
        request_uri_parameter_supported: false,
        userinfo_endpoint: `${state.url}/oidc/userinfo`,
        authorization_endpoint: `${base}/oauth2/v2.0/authorize`,
        device_authorization_endpoint: `${base}/oauth2/v2.0/devicecode`,
        http_logout_supported: true,
        frontchannel_logout_supported: true,
        end_session_endpoint: `${base}/oauth2/v2.0/logout`,
        claims_supported: ['sub', 'iss', 'aud', 'exp', 'iat', 'tid'],
        tenant_region_scope: 'NA',
        cloud_instance_name: 'fake.azure.local',
      });
      return;
    }
    if (method === 'POST' && parts.slice(1).join('/') === 'oauth2/v2.0/token') {
      count('identity.token');
      if (form.get('grant_type') !== 'client_credentials') return send(response, 400, { error: 'unsupported_grant_type', error_description: 'AADSTS70003: The app requested an unsupported grant type.' });
      if (form.get('client_id') !== clientId) return send(response, 400, { error: 'unauthorized_client', error_description: `AADSTS700016: Application with identifier '${form.get('client_id') ?? ''}' was not found in the directory.` });
      if (form.get('client_secret') !== clientSecret) return send(response, 401, { error: 'invalid_client', error_description: 'AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID.' });
      const scope = form.get('scope') ?? '';
      if (!scope.endsWith('/.default')) return send(response, 400, { error: 'invalid_scope', error_description: `AADSTS1002012: The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier.` });
      const ttl = state.fake.settings.tokenTtlS;
      send(response, 200, { token_type: 'Bearer', expires_in: ttl, ext_expires_in: ttl, access_token: issueToken(scope.slice(0, -'.default'.length), tenantId, clientId, ttl) });
      return;
    }
    send(response, 404, { error: 'not_found', error_description: 'No such endpoint.' });
  }

  /** Azure Storage `Put Page` on a disk upload's SAS URL: 512-byte aligned, at most 4 MiB. */
  function putPage(url: URL, request: IncomingMessage, body: Buffer, response: ServerResponse): void {
    count('blob.putPage');
    const blob = state.fake.blobs.get(url.pathname);
    const fail = (status: number, code: string, message: string): void => {
      state.calls['blob.putPage.failed'] = (state.calls['blob.putPage.failed'] ?? 0) + 1;
      const text = `<?xml version="1.0" encoding="utf-8"?><Error><Code>${code}</Code><Message>${message}\nRequestId:${randomUUID()}\nTime:${new Date().toISOString()}</Message></Error>`;
      response.writeHead(status, { 'Content-Type': 'application/xml', 'x-ms-error-code': code, 'x-ms-request-id': randomUUID() }).end(text);
    };
    if (!blob || url.searchParams.get('sig') !== blob.signature) return fail(403, 'AuthenticationFailed', 'Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly including the signature.');
    if (!blob.open) return fail(403, 'AuthorizationFailure', 'This request is not authorized to perform this operation.');
    if (request.method !== 'PUT' || url.searchParams.get('comp') !== 'page') return fail(400, 'UnsupportedHttpVerb', 'The resource doesn\'t support specified Http Verb.');
    if ((request.headers['x-ms-page-write'] ?? '').toString().toLowerCase() !== 'update') return fail(400, 'InvalidHeaderValue', 'The value for one of the HTTP headers is not in the correct format.');
    const range = /^bytes=(\d+)-(\d+)$/.exec(String(request.headers['x-ms-range'] ?? request.headers.range ?? ''));
    if (!range) return fail(400, 'MissingRequiredHeader', 'An HTTP header that\'s mandatory for this request is not specified.');
    const start = Number(range[1]);
    const end = Number(range[2]);
    const length = end - start + 1;
    if (start % 512 !== 0 || length % 512 !== 0 || length <= 0 || length > 4 * 1024 * 1024 || end >= blob.size) return fail(416, 'InvalidPageRange', 'The page range specified is invalid.');
    if (body.length !== length) return fail(400, 'InvalidHeaderValue', 'The value for one of the HTTP headers is not in the correct format.');
    blob.pages.set(start, Buffer.from(body));
    response
      .writeHead(201, {
        ETag: `"0x${randomBytes(7).toString('hex').toUpperCase()}"`,
        'Last-Modified': new Date().toUTCString(),
        'x-ms-blob-sequence-number': '0',
        'x-ms-request-id': randomUUID(),
        'x-ms-version': String(request.headers['x-ms-version'] ?? '2025-11-05'),
        'x-ms-request-server-encrypted': 'true',
        'Content-Length': '0',
      })
      .end();
  }
}

function isReply(value: unknown): value is ArmReply {
  return typeof (value as Partial<ArmReply>).status === 'number' && Object.keys(value as object).every((key) => ['status', 'body', 'operation'].includes(key));
}

function armHeaders(): Record<string, string> {
  const id = randomUUID();
  return { 'x-ms-request-id': id, 'x-ms-correlation-request-id': id, 'x-ms-routing-request-id': `EASTUS:${id}`, 'Cache-Control': 'no-cache' };
}

function send(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, { ...armHeaders(), 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text), ...headers }).end(text);
}

/**
 * Access tokens are JWT-shaped and signed with a key every fake shares rather than remembered:
 * one issued by any fake of the process is good at every other.
 */
const TOKEN_KEY = 'nodepool-fake-azure-token-key';

function issueToken(audience: string, tenant: string, clientId: string, ttlS: number): string {
  const now = Math.floor(Date.now() / 1000);
  const header = Buffer.from(JSON.stringify({ typ: 'JWT', alg: 'HS256', kid: 'fake' })).toString('base64url');
  const payload = Buffer.from(JSON.stringify({ aud: audience, iss: `https://sts.fake/${tenant}/`, iat: now, nbf: now, exp: now + ttlS, appid: clientId, tid: tenant, iatMs: Date.now(), jti: randomUUID() })).toString('base64url');
  return `${header}.${payload}.${createHmac('sha256', TOKEN_KEY).update(`${header}.${payload}`).digest('base64url')}`;
}

function validToken(token: string, validFrom: number): boolean {
  const [header, payload, signature] = token.split('.');
  if (!header || !payload || !signature) return false;
  const expected = Buffer.from(createHmac('sha256', TOKEN_KEY).update(`${header}.${payload}`).digest('base64url'));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !timingSafeEqual(expected, given)) return false;
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp: number; iatMs: number };
  return claims.exp * 1000 > Date.now() && claims.iatMs >= validFrom;
}

/** Checks a fault from the control API. */
export function checkFault(value: unknown): FakeAzureFault {
  const keys = ['operation', 'status', 'code', 'message', 'retryAfterS', 'first', 'every'];
  return checkFaultRule<FakeAzureFault>(value, { keys, example: 'virtualMachines.createOrUpdate' }, FakeAzureUsageError);
}

/** Checks a boot failure from the control API. */
export function checkBootFailure(value: unknown): FakeAzureBootFailure {
  return checkRuleKeys(value, ['code', 'message', 'first', 'every'], 'boot failure', FakeAzureUsageError) as FakeAzureBootFailure;
}

export { FakeAzure };
