import { commonPoolKeys } from '../config/common-keys.js';
import * as s from '../config/schema.js';
import type { Driver, ProviderContext } from '../driver/driver.js';
import type { LaunchContext, NodeRequestHandler } from '../driver/node-request-handler.js';
import type { Provider } from '../driver/provider.js';
import type { ConfigLabel, ConfigPool, ProviderConfig } from '../driver/provider-config.js';
import { QuotaInformation } from '../driver/quota-information.js';
import { QuotaError } from '../errors.js';
import type { Node } from '../zk/node.js';

type Entry = Readonly<Record<string, unknown>>;

/** Knobs and records of a fake driver's providers, shared by every provider it creates. */
export class FakeCloud {
  /** Milliseconds a launch takes. */
  launchDelayMs = 0;
  /** Resources each node uses (its `resources` record). */
  resourcesPerNode: Record<string, number> = { instances: 1 };
  /** Node IDs launched, in order. */
  readonly launched: string[] = [];
  /** Node IDs whose resources were deleted. */
  readonly deleted: string[] = [];
  /** Leak cleanup passes run. */
  cleanupPasses = 0;
  private failures: ('error' | 'quota')[] = [];
  private readonly pendingLaunches = new Set<() => void>();
  /** When set, launches wait until `releaseLaunches()` is called. */
  holdLaunches = false;

  /** The next launches fail: with a generic error, or with a quota error. */
  failNextLaunch(kind: 'error' | 'quota' = 'error', count = 1): void {
    for (let i = 0; i < count; i++) this.failures.push(kind);
  }

  /** Lets held launches finish. */
  releaseLaunches(): void {
    this.holdLaunches = false;
    for (const release of [...this.pendingLaunches]) release();
  }

  /** @internal */
  async launch(node: Node, context: LaunchContext): Promise<void> {
    this.launched.push(node.id);
    node.externalId = `fake-${node.id}`;
    await context.store();
    if (this.holdLaunches) {
      await new Promise<void>((resolve, reject) => {
        const release = (): void => {
          this.pendingLaunches.delete(release);
          resolve();
        };
        const abort = (): void => {
          this.pendingLaunches.delete(release);
          reject(new Error('launch aborted'));
        };
        // Aborted while the store above was in flight: an abort event does not fire twice.
        if (context.signal.aborted) return abort();
        this.pendingLaunches.add(release);
        context.signal.addEventListener('abort', abort, { once: true });
      });
    }
    if (this.launchDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.launchDelayMs));
    const failure = this.failures.shift();
    if (failure === 'quota') throw new QuotaError('the fake cloud is out of quota');
    if (failure === 'error') throw new Error('the fake cloud failed the launch');
    node.interfaceIp = '127.0.0.1';
    node.publicIpv4 = '127.0.0.1';
    node.hostKeys = ['ssh-ed25519 AAAAfake'];
    node.connectionType = 'ssh';
    node.pythonPath = 'auto';
    node.username = 'zuul';
    node.resources = { ...this.resourcesPerNode };
  }
}

export type FakeProviderConfig = ProviderConfig<ConfigPool<ConfigLabel>>;

/**
 * An in-memory driver for tests of the launcher and tools: providers with pools of labels whose
 * launches succeed at once (or as the `FakeCloud` knobs say). Not a cloud: nothing is started.
 */
export function createFakeDriver(name = 'fakecloud', cloud = new FakeCloud()): { driver: Driver<FakeProviderConfig>; cloud: FakeCloud } {
  const label = s.mapping({ name: s.required(s.str), diskimage: s.str, cores: s.int });
  const driver: Driver<FakeProviderConfig> = {
    name,
    providerSchema: s.mapping({
      pools: s.list(s.mapping({ ...commonPoolKeys, name: s.required(s.str), labels: s.list(label), 'max-cores': s.int })),
      diskimages: s.list(s.mapping({ name: s.required(s.str) })),
    }),
    parseConfig(entry: Entry): FakeProviderConfig {
      const pools = new Map<string, ConfigPool<ConfigLabel>>();
      for (const pool of (entry.pools as Entry[] | undefined) ?? []) {
        const labels = new Map<string, ConfigLabel>();
        for (const item of (pool.labels as Entry[] | undefined) ?? []) {
          labels.set(item.name as string, { name: item.name as string, diskimage: item.diskimage as string | undefined });
        }
        pools.set(pool.name as string, {
          name: pool.name as string,
          maxServers: (pool['max-servers'] as number | undefined) ?? Infinity,
          maxCores: pool['max-cores'] as number | undefined,
          nodeAttributes: (pool['node-attributes'] as Record<string, unknown> | undefined) ?? null,
          priority: pool.priority as number | undefined,
          labels,
        });
      }
      const diskimages = ((entry.diskimages as Entry[] | undefined) ?? []).map((image) => image.name as string);
      return {
        name: entry.name as string,
        driver: name,
        maxConcurrency: (entry['max-concurrency'] as number | undefined) ?? -1,
        priority: entry.priority as number | undefined,
        pools,
        manageImages: diskimages.length > 0,
        diskimages,
        raw: entry,
      };
    },
    createProvider: (config: FakeProviderConfig, _context: ProviderContext): Provider => ({
      name: config.name,
      start: async () => undefined,
      stop: async () => undefined,
      getRequestHandler: (): NodeRequestHandler => ({
        launch: (node, launchContext) => cloud.launch(node, launchContext),
      }),
      cleanupNode: async (node) => {
        cloud.deleted.push(node.id);
      },
      cleanupLeakedResources: async () => {
        cloud.cleanupPasses++;
      },
      getQuotaForLabel: () => new QuotaInformation(cloud.resourcesPerNode),
    }),
  };
  return { driver, cloud };
}
