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
          for (const [pool, count] of countByPool(nodes)) this.peakByPool.set(pool, Math.max(count, this.peakByPool.get(pool) ?? 0));
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
