import { getLogger, type AdapterContext, type Instance, type InstanceListing, type RateLimiter } from '@nodepool/core';
import { validateConfigText } from '@nodepool/core/testing';
import simDriver, { SimAdapter, type SimProviderConfig } from '@nodepool/driver-sim';
import { startSimCloud, type SimCloudHandle, type SimCloudOptions } from '@nodepool/driver-sim/cloud';

/** One HTTP exchange with the simulated cloud, body parsed. */
export interface ApiReply<T = unknown> {
  readonly status: number;
  readonly headers: Headers;
  readonly body: T;
}

/** Calls the cloud at `url` directly, as any HTTP client would. */
export async function api<T = any>(url: string, method: string, path: string, body?: unknown): Promise<ApiReply<T>> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text === '' ? undefined : JSON.parse(text)) as T };
}

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/**
 * A rate limiter that lets every call through at once and records back-offs. A back-off pauses
 * the following calls for real, unless `onBackOff` is given, which then stands for the pause
 * (to move a fake clock instead of waiting).
 */
export class PassThroughLimiter implements RateLimiter {
  readonly backOffs: (number | undefined)[] = [];
  calls = 0;
  onBackOff: ((ms: number) => void) | undefined;
  private pausedUntil = 0;

  async run<T>(call: () => Promise<T>): Promise<T> {
    const wait = this.pausedUntil - Date.now();
    if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
    this.calls++;
    return call();
  }

  backOff(ms = 1_000): void {
    this.backOffs.push(ms);
    if (this.onBackOff) return this.onBackOff(ms);
    this.pausedUntil = Math.max(this.pausedUntil, Date.now() + ms);
  }
}

/** What `createAdapter` gets from the kit, with pass-through limiters to look at. */
export function adapterContext(): AdapterContext & { rateLimits: { mutating: PassThroughLimiter; readOnly: PassThroughLimiter } } {
  return { rateLimits: { mutating: new PassThroughLimiter(), readOnly: new PassThroughLimiter() }, log: getLogger('test.driver-sim') };
}

/** The kit's shared listing in its simplest form: a fresh `listInstances()` per question. */
export function instanceListing(adapter: { listInstances(): Promise<Instance[]> }): InstanceListing & { calls: number } {
  const listing = {
    calls: 0,
    async get(externalId: string): Promise<Instance | undefined> {
      return (await listing.all()).find((instance) => instance.externalId === externalId);
    },
    async all(): Promise<Instance[]> {
      listing.calls++;
      return adapter.listInstances();
    },
  };
  return listing;
}

export const nodeTags = (nodeId: string): Record<string, string> => ({
  nodepool_node_id: nodeId,
  nodepool_pool_name: 'main',
  nodepool_provider_name: 'sim',
});

/** A provider entry for the cloud at `url`: labels by flavor, a cloud image found by name. */
export function providerYaml(url: string, extra = ''): string {
  return `
zookeeper-servers:
  - host: zk.example.com
labels:
  - name: small
  - name: medium
  - name: pinned
  - name: missing-image
  - name: odd-flavor
providers:
  - name: sim
    driver: sim
    endpoint: ${url}
    cloud-images:
      - name: sim-base
      - name: pinned
        image-id: img-sim-base
      - name: nowhere
${extra}    pools:
      - name: main
        labels:
          - name: small
            flavor: small
            cloud-image: sim-base
          - name: medium
            flavor: medium
            cloud-image: sim-base
          - name: pinned
            flavor: small
            cloud-image: pinned
          - name: missing-image
            flavor: small
            cloud-image: nowhere
          - name: odd-flavor
            flavor: xxl
            cloud-image: sim-base
`;
}

/** The typed config of `providerYaml(url)`. */
export async function simConfig(url: string): Promise<SimProviderConfig> {
  const result = await validateConfigText(providerYaml(url), [simDriver]);
  if (!result.config) throw new Error(result.messages.join('\n'));
  return result.config.providers.get('sim') as SimProviderConfig;
}

/** A started sim cloud, an adapter for it with pass-through limiters, and a trivial listing. */
export async function simSetup(options: SimCloudOptions = {}) {
  const cloud: SimCloudHandle = await startSimCloud(options);
  const config = await simConfig(cloud.url);
  const context = adapterContext();
  const adapter = new SimAdapter(config, context);
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  return { cloud, config, context, adapter, listing: instanceListing(adapter), label, stop: () => cloud.stop() };
}
