import type { AdapterContext, Logger, Stats } from '@nodepool/core';
import { Cinder } from './cinder.js';
import type { CloudConfig } from './cloud-config.js';
import { Glance } from './glance.js';
import type { HttpOptions } from './http.js';
import { Neutron } from './neutron.js';
import { Nova } from './nova.js';
import { OpenStackSession } from './session.js';

/** Knobs of the client that are not in nodepool.yaml or clouds.yaml (tests shorten them). */
export interface OpenStackClientOptions {
  /** Per request; default clouds.yaml's `api_timeout`, else 60 s. */
  readonly requestTimeoutMs?: number;
  /** Throttled answers in a row a call rides out; default 10. */
  readonly maxThrottleRetries?: number;
}

/**
 * The driver's OpenStack client for one cloud: a session (Keystone auth, endpoints, every call
 * through the kit's rate limiters) and one module per service.
 */
export class OpenStackClient {
  readonly session: OpenStackSession;
  readonly nova: Nova;
  readonly neutron: Neutron;
  readonly glance: Glance;
  readonly cinder: Cinder;

  constructor(
    readonly cloud: CloudConfig,
    context: { rateLimits: AdapterContext['rateLimits']; log: Logger; stats?: Stats | undefined; provider: string },
    options: OpenStackClientOptions = {},
  ) {
    const http: HttpOptions = {
      rateLimits: context.rateLimits,
      log: context.log,
      stats: context.stats,
      provider: context.provider,
      timeoutMs: options.requestTimeoutMs ?? cloud.apiTimeoutMs ?? 60_000,
      maxThrottleRetries: options.maxThrottleRetries ?? 10,
      userAgent: 'nodepool-ts openstack-driver',
    };
    this.session = new OpenStackSession(cloud, http);
    this.nova = new Nova(this.session);
    this.neutron = new Neutron(this.session);
    this.glance = new Glance(this.session);
    this.cinder = new Cinder(this.session);
  }
}
