import { apiCallName } from '../api-call-name.js';
import type { CloudConfig } from './cloud-config.js';
import { sendHttp, type HttpOptions } from './http.js';
import { EndpointNotFoundError, OpenStackApiError } from './openstack-errors.js';

/** One endpoint of a service in Keystone's catalog. */
export interface CatalogEndpoint {
  readonly interface: string;
  readonly region: string | null;
  readonly region_id?: string | null;
  readonly url: string;
}

/** One service of Keystone's catalog. */
export interface CatalogService {
  readonly type: string;
  readonly name?: string;
  readonly endpoints: readonly CatalogEndpoint[];
}

/** A Keystone v3 token: the value for `X-Auth-Token`, when it expires, and what it is scoped to. */
export interface AuthToken {
  readonly value: string;
  readonly expiresAt: number;
  readonly issuedAt: number;
  readonly projectId: string | null;
  readonly catalog: readonly CatalogService[];
}

/** Other names a service goes by in catalogs (os-service-types' aliases). */
const SERVICE_ALIASES: Readonly<Record<string, readonly string[]>> = {
  'block-storage': ['block-storage', 'volumev3', 'volumev2', 'volume', 'block-store'],
  compute: ['compute'],
  network: ['network'],
  image: ['image'],
  identity: ['identity'],
};

/** keystoneauth's margin: a token expiring sooner than this is renewed before use. */
const RENEW_MARGIN_MS = 120_000;

/**
 * Keystone v3 authentication for one cloud: password (user and project by name or ID, with
 * domains) or application credential. The token is fetched on first use and renewed when it is
 * about to expire (within two minutes, or a quarter of its life for short-lived tokens) or when a
 * service refused it; callers asking while a renewal is under way share it.
 */
export class KeystoneAuth {
  private current: AuthToken | undefined;
  private pending: Promise<AuthToken> | undefined;
  private identityUrl: string | undefined;

  constructor(
    private readonly cloud: CloudConfig,
    private readonly http: HttpOptions,
  ) {}

  /** A token valid for a while yet. */
  async token(): Promise<AuthToken> {
    const token = this.current;
    if (token) {
      const margin = Math.min(RENEW_MARGIN_MS, (token.expiresAt - token.issuedAt) / 4);
      if (token.expiresAt - Date.now() > margin) return token;
    }
    this.pending ??= this.authenticate().finally(() => {
      this.pending = undefined;
    });
    return this.pending;
  }

  /** A service said the token is no good (HTTP 401): the next `token()` fetches another. */
  invalidate(rejected: string): void {
    if (this.current?.value === rejected) this.current = undefined;
  }

  /**
   * The URL of `serviceType` in the catalog (any of its aliases), for the configured interface
   * and region (the first listed when no region is configured); an `<service>_endpoint_override`
   * wins. `EndpointNotFoundError` if there is none.
   */
  async endpoint(serviceType: string): Promise<string> {
    const override = this.cloud.endpointOverrides[serviceType];
    if (override) return override.replace(/\/+$/, '');
    const { catalog } = await this.token();
    return catalogEndpoint(catalog, serviceType, this.cloud.interface, this.cloud.regionName);
  }

  private async authenticate(): Promise<AuthToken> {
    const identityUrl = await this.v3Url();
    const answer = await sendHttp<{ token?: { expires_at?: string; issued_at?: string; project?: { id?: string }; catalog?: CatalogService[] } }>(this.http, {
      method: 'POST',
      url: `${identityUrl}/auth/tokens`,
      operation: 'identity.POST.tokens',
      json: authRequest(this.cloud),
      kind: 'read',
    });
    const value = answer.headers.get('x-subject-token');
    const body = answer.data.token;
    if (!value || !body) throw new OpenStackApiError('OpenStack identity.POST.tokens: Keystone answered without a token', answer.status, 'identity.POST.tokens', 'no token');
    const expiresAt = body.expires_at ? Date.parse(body.expires_at) : Date.now() + 3_600_000;
    const issuedAt = body.issued_at ? Date.parse(body.issued_at) : Date.now();
    this.current = { value, expiresAt, issuedAt, projectId: body.project?.id ?? null, catalog: body.catalog ?? [] };
    this.http.log.debug('authenticated with Keystone', { cloud: this.cloud.name, expiresAt: new Date(expiresAt).toISOString() });
    return this.current;
  }

  /**
   * Keystone's v3 URL: `auth_url` itself when it names v3, else the v3 version its discovery
   * document lists (falling back to `<auth_url>/v3`, as keystoneauth does).
   */
  private async v3Url(): Promise<string> {
    if (this.identityUrl) return this.identityUrl;
    const base = this.cloud.auth.authUrl.replace(/\/+$/, '');
    if (/\/v3(\.\d+)?$/.test(base)) return (this.identityUrl = base);
    // Keystone answers its version list with 300 Multiple Choices.
    const answer = await sendHttp<unknown>(this.http, { method: 'GET', url: `${base}/`, operation: apiCallName('identity', 'GET', '/'), kind: 'read', accept: [300] });
    this.identityUrl = versionLink(answer.data, /^v3(\.\d+)?$/) ?? `${base}/v3`;
    return this.identityUrl;
  }
}

/** The body of `POST /v3/auth/tokens` for the cloud's credentials. */
export function authRequest(cloud: CloudConfig): unknown {
  const { auth } = cloud;
  const domain = (name: string | null, id: string | null) => (id ? { id } : name ? { name } : undefined);
  const user = auth.userId ? { id: auth.userId } : { name: auth.username, ...(domain(auth.userDomainName, auth.userDomainId) ? { domain: domain(auth.userDomainName, auth.userDomainId) } : {}) };
  if (cloud.authType === 'application-credential') {
    const credential = auth.applicationCredentialId
      ? { id: auth.applicationCredentialId, secret: auth.applicationCredentialSecret }
      : { name: auth.applicationCredentialName, secret: auth.applicationCredentialSecret, user };
    return { auth: { identity: { methods: ['application_credential'], application_credential: credential } } };
  }
  const project = auth.projectId ? { id: auth.projectId } : { name: auth.projectName, ...(domain(auth.projectDomainName, auth.projectDomainId) ? { domain: domain(auth.projectDomainName, auth.projectDomainId) } : {}) };
  return {
    auth: {
      identity: { methods: ['password'], password: { user: { ...user, password: auth.password } } },
      ...(auth.projectId || auth.projectName ? { scope: { project } } : {}),
    },
  };
}

/** Picks a service's URL from a catalog by type (or alias), interface and region. */
export function catalogEndpoint(catalog: readonly CatalogService[], serviceType: string, iface: string, region: string | null): string {
  const types = SERVICE_ALIASES[serviceType] ?? [serviceType];
  for (const type of types) {
    for (const service of catalog.filter((candidate) => candidate.type === type)) {
      const endpoint = service.endpoints.find((candidate) => candidate.interface === iface && (region === null || (candidate.region_id ?? candidate.region) === region || candidate.region === region));
      if (endpoint) return endpoint.url.replace(/\/+$/, '');
    }
  }
  throw new EndpointNotFoundError(`the catalog has no ${iface} ${serviceType} endpoint${region ? ` in region ${region}` : ''}`, serviceType);
}

/**
 * The `self` link of the newest version matching `id` in a discovery document (`{"versions":
 * [...]}`, `{"versions": {"values": [...]}}` or `{"version": {...}}`), without a trailing slash.
 */
export function versionLink(document: unknown, id: RegExp): string | undefined {
  const entries = versionEntries(document).filter((entry) => typeof entry.id === 'string' && id.test(entry.id));
  entries.sort((a, b) => versionNumber(b.id) - versionNumber(a.id));
  const link = entries[0]?.links?.find((candidate) => candidate.rel === 'self')?.href;
  return link?.replace(/\/+$/, '');
}

/** The entries of a discovery document, with their `version` (max microversion) when given. */
export function versionEntries(document: unknown): { id: string; version?: string; min_version?: string; status?: string; links?: { rel?: string; href?: string }[] }[] {
  if (document === null || typeof document !== 'object') return [];
  const body = document as { versions?: unknown; version?: unknown };
  const list = Array.isArray(body.versions) ? body.versions : Array.isArray((body.versions as { values?: unknown })?.values) ? (body.versions as { values: unknown[] }).values : body.version ? [body.version] : [];
  return list.filter((entry): entry is { id: string } => entry !== null && typeof entry === 'object' && typeof (entry as { id?: unknown }).id === 'string');
}

function versionNumber(id: string): number {
  const match = /^v(\d+)(?:\.(\d+))?/.exec(id);
  return match ? Number(match[1]) * 1000 + Number(match[2] ?? 0) : 0;
}
