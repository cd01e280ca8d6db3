import { apiCallName } from '../api-call-name.js';
import type { CloudConfig } from './cloud-config.js';
import { sendHttp, type CallKind, type HttpAnswer, type HttpOptions, type RequestBody } from './http.js';
import { KeystoneAuth, versionEntries, versionLink } from './keystone.js';
import { OpenStackApiError } from './openstack-errors.js';

/** The services the driver talks to, by their catalog type. */
export type ServiceType = 'compute' | 'network' | 'image' | 'block-storage';

/** A service's versioned API root and the newest microversion it speaks (null: none). */
export interface ServiceRoot {
  readonly url: string;
  readonly maxMicroversion: string | null;
}

/** One authenticated call to a service, its path relative to the service's versioned root. */
export interface ServiceCall {
  readonly method: string;
  /** E.g. `/servers/detail`; or a full URL (a `next` link). */
  readonly path: string;
  readonly query?: Readonly<Record<string, string | readonly string[] | undefined>>;
  readonly json?: unknown;
  readonly body?: () => { data: RequestBody; contentType: string };
  readonly headers?: Readonly<Record<string, string>>;
  readonly kind?: CallKind;
  /** This call's timeout, instead of the client's. */
  readonly timeoutMs?: number;
}

/**
 * An authenticated session with one cloud: Keystone auth, each service's versioned root found
 * once (from the catalog, by version discovery where the catalog URL is not versioned), and
 * calls carrying the token; a call refused with 401 gets a fresh token and is sent once more.
 */
export class OpenStackSession {
  readonly keystone: KeystoneAuth;
  private readonly roots = new Map<ServiceType, Promise<ServiceRoot>>();

  constructor(
    readonly cloud: CloudConfig,
    private readonly http: HttpOptions,
  ) {
    this.keystone = new KeystoneAuth(cloud, http);
  }

  /** The project the token is scoped to. */
  async projectId(): Promise<string | null> {
    return (await this.keystone.token()).projectId;
  }

  /** The service's versioned root, found once per session (a failed look is tried again). */
  root(service: ServiceType): Promise<ServiceRoot> {
    let root = this.roots.get(service);
    if (!root) {
      root = this.discover(service);
      this.roots.set(service, root);
      root.catch(() => this.roots.delete(service));
    }
    return root;
  }

  /** Sends a call to `service`; `microversion` is sent as `OpenStack-API-Version`. */
  async call<T>(service: ServiceType, call: ServiceCall, microversion?: string | null): Promise<HttpAnswer<T>> {
    const root = await this.root(service);
    const projectId = await this.projectId();
    const url = call.path.startsWith('http') ? new URL(call.path) : new URL(`${root.url}${call.path}`);
    for (const [key, value] of Object.entries(call.query ?? {})) {
      if (value === undefined) continue;
      for (const item of typeof value === 'string' ? [value] : value) url.searchParams.append(key, item);
    }
    const operation = apiCallName(service, call.method, url.pathname.slice(new URL(root.url).pathname.length), projectId ?? undefined);
    const versionHeaders: Record<string, string> = microversion ? { 'OpenStack-API-Version': `${service === 'block-storage' ? 'volume' : service} ${microversion}` } : {};
    for (let attempt = 0; ; attempt++) {
      const token = await this.keystone.token();
      try {
        return await sendHttp<T>(this.http, {
          method: call.method,
          url: url.toString(),
          operation,
          headers: { 'X-Auth-Token': token.value, ...versionHeaders, ...call.headers },
          json: call.json,
          body: call.body,
          kind: call.kind,
          ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }),
        });
      } catch (error) {
        if (error instanceof OpenStackApiError && error.status === 401 && attempt === 0) {
          this.http.log.debug('OpenStack refused the token; authenticating again', { operation });
          this.keystone.invalidate(token.value);
          continue;
        }
        throw error;
      }
    }
  }

  private async discover(service: ServiceType): Promise<ServiceRoot> {
    const endpoint = await this.keystone.endpoint(service);
    switch (service) {
      case 'compute': {
        // Nova's catalog URL names v2.1; its version document gives the newest microversion.
        const versioned = /\/v2(\.1)?(\/[0-9a-f]{32})?$/.test(endpoint);
        const document = await this.discovery('compute', versioned ? endpoint : `${endpoint}/`);
        const entry = versionEntries(document).find((candidate) => candidate.id === 'v2.1');
        const url = versioned ? endpoint : (versionLink(document, /^v2\.1$/) ?? `${endpoint}/v2.1`);
        return { url, maxMicroversion: entry?.version || null };
      }
      case 'network':
        // Neutron has one API version; openstacksdk appends it without asking.
        return { url: /\/v2\.0$/.test(endpoint) ? endpoint : `${endpoint}/v2.0`, maxMicroversion: null };
      case 'image': {
        if (/\/v2(\.\d+)?$/.test(endpoint)) return { url: endpoint, maxMicroversion: null };
        const document = await this.discovery('image', `${endpoint}/`);
        return { url: versionLink(document, /^v2(\.\d+)?$/) ?? `${endpoint}/v2`, maxMicroversion: null };
      }
      case 'block-storage': {
        if (/\/v3(\/|$)/.test(endpoint)) return { url: endpoint, maxMicroversion: null };
        const document = await this.discovery('block-storage', `${endpoint}/`);
        const link = versionLink(document, /^v3(\.\d+)?$/) ?? `${endpoint}/v3`;
        const projectId = await this.projectId();
        return { url: projectId ? `${link}/${projectId}` : link, maxMicroversion: null };
      }
    }
  }

  /** A version discovery document (services answer with 200 or 300). */
  private async discovery(service: ServiceType, url: string): Promise<unknown> {
    const token = await this.keystone.token();
    const answer = await sendHttp<unknown>(this.http, { method: 'GET', url, operation: apiCallName(service, 'GET', '/'), headers: { 'X-Auth-Token': token.value }, kind: 'read', accept: [300] });
    return answer.data;
  }
}
