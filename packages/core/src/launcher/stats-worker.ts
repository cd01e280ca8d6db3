import { Election } from '../zk/election.js';
import { countNodes, nodeCountGauges } from '../stats/node-counts.js';
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
    for (const [key, value] of nodeCountGauges(countNodes(nodes.values(), components.all('pool')))) stats.gauge(key, value);
  }
}
