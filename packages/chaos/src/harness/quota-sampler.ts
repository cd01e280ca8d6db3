import { setTimeout as delay } from 'node:timers/promises';
import type { SimCloudControl } from '@nodepool/driver-sim/cloud';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { countByPool, readNodes } from './node-census.js';

/**
 * Samples, back to back until stopped, how many node records each pool has in ZooKeeper and how
 * many instances the cloud holds, keeping the highest of each. A listing that races a deletion
 * can only undercount (a node created after the listing is not in it), so a maximum above a
 * pool's max-servers was really there.
 */
export class QuotaSampler {
  readonly peakByPool = new Map<string, number>();
  /** The node states of each pool in the sample that set its peak, e.g. `building 4, ready 6`. */
  readonly peakStatesByPool = new Map<string, string>();
  /** The same counting `init` claims too. */
  readonly peakWithInitByPool = new Map<string, number>();
  peakInstances = 0;
  samples = 0;
  private stopped = false;
  private loop: Promise<void> | undefined;

  constructor(
    private readonly client: ZooKeeperClient,
    private readonly cloud: SimCloudControl,
  ) {}

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        try {
          const [nodes, instances] = await Promise.all([readNodes(this.client), this.cloud.instances()]);
          for (const [pool, count] of countByPool(nodes, true)) this.peakWithInitByPool.set(pool, Math.max(count, this.peakWithInitByPool.get(pool) ?? 0));
          for (const [pool, count] of countByPool(nodes)) {
            if (count <= (this.peakByPool.get(pool) ?? 0)) continue;
            this.peakByPool.set(pool, count);
            const states = new Map<string, number>();
            for (const node of nodes) if (`${node.provider}/${node.pool}` === pool && node.state !== 'deleted') states.set(node.state ?? '?', (states.get(node.state ?? '?') ?? 0) + 1);
            this.peakStatesByPool.set(pool, [...states].map(([state, n]) => `${state} ${n}`).join(', '));
          }
          this.peakInstances = Math.max(this.peakInstances, instances.filter((instance) => instance.status !== 'deleting').length);
          this.samples++;
        } catch {
          // ZooKeeper or the cloud busy: the next sample counts.
        }
        await delay(20);
      }
    })();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}
