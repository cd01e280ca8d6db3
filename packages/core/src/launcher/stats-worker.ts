import { Election } from '../zk/election.js';
import { NODE_STATES } from '../zk/node.js';
import type { LauncherContext } from './launcher-context.js';

/**
 * Node gauges (observability spec §2.2), sent only by the launcher that wins the stats
 * election, and only when statsd is on; recomputed after node changes, at most about once a
 * second.
 */
export class StatsWorker {
  private election: Election | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly onNodeChange = (): void => this.schedule();

  constructor(private readonly context: LauncherContext) {}

  async start(): Promise<void> {
    if (!this.context.stats.enabled) return;
    this.election = new Election(this.context.zk.client);
    void this.election.start().then(() => this.schedule());
    this.context.nodes.on('change', this.onNodeChange);
  }

  async stop(): Promise<void> {
    this.context.nodes.off('change', this.onNodeChange);
    if (this.timer) clearTimeout(this.timer);
    await this.election?.stop();
  }

  get isLeader(): boolean {
    return this.election?.isLeader ?? false;
  }

  private schedule(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      if (this.isLeader) this.report();
    }, this.context.timings.statsIntervalMs);
  }

  /** Counts every node by state, globally, per provider and per label, zero-filled. */
  report(): void {
    const { stats, nodes, components } = this.context;
    const counts = new Map<string, number>();
    const add = (key: string): void => void counts.set(key, (counts.get(key) ?? 0) + 1);
    const zero = (prefix: string): void => {
      for (const state of NODE_STATES) if (!counts.has(`${prefix}.${state}`)) counts.set(`${prefix}.${state}`, 0);
    };
    zero('nodepool.nodes');
    for (const pool of components.all('pool')) {
      if (pool.providerName) zero(`nodepool.provider.${pool.providerName}.nodes`);
      for (const label of pool.supportedLabels) zero(`nodepool.label.${label}.nodes`);
    }
    for (const node of nodes.values()) {
      add(`nodepool.nodes.${node.state}`);
      add(`nodepool.provider.${node.provider ?? 'None'}.nodes.${node.state}`);
      for (const label of node.type) add(`nodepool.label.${label}.nodes.${node.state}`);
    }
    for (const [key, value] of counts) stats.gauge(key, value);
  }
}
