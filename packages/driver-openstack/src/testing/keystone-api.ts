import { randomBytes } from 'node:crypto';
import { serviceCatalog } from './catalog.js';
import type { FakeOpenStack } from './fake-openstack.js';
import { ApiError, isoMicros, json, jsonBody, noContent, type ApiRequest, type HttpReply } from './http-kit.js';
import { FAKE_DOMAIN, FAKE_OPENSTACK_CREDENTIALS as CREDENTIALS, FAKE_PROJECT_ID, FAKE_USER_ID, type IssuedToken } from './identity.js';

const UNAUTHORIZED = 'The request you have made requires authentication.';

function versionDocument(base: string) {
  return {
    id: 'v3.14',
    status: 'stable',
    updated: '2020-04-07T00:00:00Z',
    links: [{ rel: 'self', href: `${base}/identity/v3/` }],
    'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.identity-v3+json' }],
  };
}

/** Keystone v3: version discovery, and tokens (issue, validate, revoke) with the service catalog. */
export function keystoneApi(fake: FakeOpenStack, request: ApiRequest, rootUrl: string): HttpReply {
  const [version, ...rest] = request.segments;
  const path = rest.join('/');
  if (version === undefined) {
    if (request.method !== 'GET') throw new ApiError(405, 'The method is not allowed for the requested URL.');
    return json({ versions: { values: [versionDocument(request.base)] } }, 300);
  }
  if (version !== 'v3') throw new ApiError(404, 'The resource could not be found.');
  if (path === '' && request.method === 'GET') return json({ version: versionDocument(request.base) });
  if (path === 'auth/tokens') {
    switch (request.method) {
      case 'POST':
        return issueToken(fake, request, rootUrl);
      case 'GET':
      case 'HEAD':
        return validateToken(fake, request, rootUrl);
      case 'DELETE': {
        requireToken(fake, request);
        const subject = header(request, 'x-subject-token');
        if (!subject || !fake.tokens.revoke(subject)) throw new ApiError(404, `Could not find token: ${subject ?? ''}.`);
        return noContent();
      }
    }
  }
  if (path === 'auth/catalog' && request.method === 'GET') {
    requireToken(fake, request);
    return json({ catalog: serviceCatalog(rootUrl, fake.settings().regions, fake.projectId), links: { self: `${request.base}/identity/v3/auth/catalog`, previous: null, next: null } });
  }
  throw new ApiError(404, 'The resource could not be found.');
}

/** Keystone's error body: `{"error": {"code", "message", "title"}}`. */
export function keystoneErrorBody(status: number, message: string): unknown {
  const titles: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict', 413: 'Request Entity Too Large', 429: 'Too Many Requests', 500: 'Internal Server Error', 503: 'Service Unavailable' };
  return { error: { code: status, message, title: titles[status] ?? 'Error' } };
}

function header(request: ApiRequest, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function requireToken(fake: FakeOpenStack, request: ApiRequest): IssuedToken {
  const token = fake.tokens.valid(header(request, 'x-auth-token'));
  if (!token) throw new ApiError(401, UNAUTHORIZED);
  return token;
}

function record(value: unknown): Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

/** Whether a `{name, domain}` or `{id}` reference names the fake's user. */
function isOurUser(user: Record<string, unknown>): boolean {
  if (user.id !== undefined) return user.id === FAKE_USER_ID;
  const domain = record(user.domain);
  return user.name === CREDENTIALS.username && (domain.id === FAKE_DOMAIN.id || domain.name === FAKE_DOMAIN.name);
}

function issueToken(fake: FakeOpenStack, request: ApiRequest, rootUrl: string): HttpReply {
  const body = jsonBody(request);
  const auth = record(body.auth);
  const identity = record(auth.identity);
  const methods = Array.isArray(identity.methods) ? (identity.methods as unknown[]) : [];
  if (methods.length === 0) throw new ApiError(400, "Invalid input for field 'identity': 'methods' is a required property");
  let method: IssuedToken['method'];
  if (methods.includes('password')) {
    const user = record(record(identity.password).user);
    if (!isOurUser(user) || user.password !== CREDENTIALS.password) throw new ApiError(401, UNAUTHORIZED);
    method = 'password';
    // A password token is scoped to the project asked for; an unscoped one is of no use here.
    const project = record(record(auth.scope).project);
    const domain = record(project.domain);
    const ours = project.id === FAKE_PROJECT_ID || (project.name === CREDENTIALS.projectName && (domain.id === FAKE_DOMAIN.id || domain.name === FAKE_DOMAIN.name));
    if (!ours) throw new ApiError(401, UNAUTHORIZED);
  } else if (methods.includes('application_credential')) {
    const credential = record(identity.application_credential);
    const named = credential.id === CREDENTIALS.applicationCredentialId || (credential.name === CREDENTIALS.applicationCredentialName && isOurUser(record(credential.user)));
    if (!named || credential.secret !== CREDENTIALS.applicationCredentialSecret) throw new ApiError(401, UNAUTHORIZED);
    // An application credential is bound to its project; asking for a scope is refused.
    if (auth.scope !== undefined) throw new ApiError(401, UNAUTHORIZED);
    method = 'application_credential';
  } else {
    throw new ApiError(401, UNAUTHORIZED);
  }
  const token = fake.tokens.issue(method, fake.settings().tokenTtlMs);
  return json({ token: tokenBody(fake, token, rootUrl) }, 201, { 'X-Subject-Token': token.token });
}

function validateToken(fake: FakeOpenStack, request: ApiRequest, rootUrl: string): HttpReply {
  requireToken(fake, request);
  const subject = fake.tokens.valid(header(request, 'x-subject-token'));
  if (!subject) throw new ApiError(404, `Could not find token: ${header(request, 'x-subject-token') ?? ''}.`);
  if (request.method === 'HEAD') return noContent(200, { 'X-Subject-Token': subject.token });
  return json({ token: tokenBody(fake, subject, rootUrl) }, 200, { 'X-Subject-Token': subject.token });
}

function tokenBody(fake: FakeOpenStack, token: IssuedToken, rootUrl: string): unknown {
  return {
    methods: [token.method],
    user: { domain: { ...FAKE_DOMAIN }, id: FAKE_USER_ID, name: CREDENTIALS.username, password_expires_at: null },
    audit_ids: [randomBytes(16).toString('base64url').slice(0, 22)],
    expires_at: isoMicros(token.expiresAt),
    issued_at: isoMicros(token.issuedAt),
    project: { domain: { ...FAKE_DOMAIN }, id: FAKE_PROJECT_ID, name: CREDENTIALS.projectName },
    is_domain: false,
    roles: [
      { id: 'a1'.padEnd(32, '0'), name: 'member' },
      { id: 'a2'.padEnd(32, '0'), name: 'reader' },
    ],
    ...(token.method === 'application_credential'
      ? { application_credential: { id: CREDENTIALS.applicationCredentialId, name: CREDENTIALS.applicationCredentialName, restricted: true } }
      : {}),
    catalog: serviceCatalog(rootUrl, fake.settings().regions, fake.projectId),
  };
}
