import { randomUUID } from 'node:crypto';
import { effectiveMinReady } from '../config/min-ready-schedule.js';
import { MIN_READY_PRIORITY, MIN_READY_REQUESTOR, NodeRequest } from '../zk/node-request.js';
import type { LauncherContext } from './launcher-context.js';
import { Periodic } from './periodic.js';

/**
 * Keeps `min-ready` ready nodes of each label (spec §5.7): Nodepool's own requests, ephemeral,
 * at priority 900, one per missing node; fulfilled ones are released (the nodes stay ready and
 * become free) and failed ones dropped.
 *
 * A label's `min-ready-schedule` (ours) changes its `min-ready` with the time of day: the value
 * in force at each pass is used. When it drops, ready nodes beyond it are not replaced once
 * used, and none is deleted for it, as the original does when `min-ready` is lowered: they
 * stay until a job takes them or `max-ready-age` removes them.
 */
export class MinReadyWorker {
  private readonly periodic: Periodic;
  /** Our outstanding min-ready requests: id → label. */
  private readonly own = new Map<string, string>();

  /**
   * @param clock epoch milliseconds now, which decides the `min-ready` of labels with a
   *   schedule; default the system clock (tests pass a fake one).
   */
  constructor(
    private readonly context: LauncherContext,
    private readonly clock: () => number = Date.now,
  ) {
    this.periodic = new Periodic(context.timings.mainLoopMs, () => this.pass(), (error) =>
      context.log.error('min-ready handling failed', { error: String(error) }),
    );
  }

  start(): void {
    this.periodic.start();
  }

  async stop(): Promise<void> {
    await this.periodic.stop();
  }

  async pass(): Promise<void> {
    await this.collect();
    await this.request();
  }

  /** Releases fulfilled min-ready requests and drops failed ones. */
  private async collect(): Promise<void> {
    const { zk } = this.context;
    for (const [id] of [...this.own]) {
      const request = this.context.requests.get(id) ?? (await zk.getNodeRequest(id));
      if (!request) {
        this.own.delete(id);
        continue;
      }
      if (request.state === 'fulfilled') {
        // The nodes are ready and unlocked and nobody else touches allocated nodes: no lock needed.
        for (const nodeId of request.nodes) {
          const node = await zk.getNode(nodeId);
          if (node && node.allocatedTo === id) {
            node.allocatedTo = null;
            await zk.storeNode(node).catch(() => undefined);
          }
        }
      }
      if (request.state === 'fulfilled' || request.state === 'failed') {
        await zk.deleteNodeRequest(id);
        this.own.delete(id);
      }
    }
  }

  /** Requests one node per missing ready node, for labels without an outstanding request. */
  private async request(): Promise<void> {
    const config = this.context.config();
    const outstanding = new Set(this.own.values());
    const now = this.clock();
    for (const label of config.labels.values()) {
      const minReady = effectiveMinReady(label, now);
      if (minReady <= 0 || outstanding.has(label.name) || !this.servable(label.name)) continue;
      const ready = [...this.context.nodes.values()].filter(
        (node) => node.state === 'ready' && node.allocatedTo === null && node.type.includes(label.name),
      ).length;
      for (let i = ready; i < minReady; i++) {
        const request = new NodeRequest();
        request.setState('requested');
        request.nodeTypes = [label.name];
        request.requestor = MIN_READY_REQUESTOR;
        request.reuse = false;
        request.eventId = randomUUID().replaceAll('-', '');
        await this.context.zk.storeNodeRequest(request, { priority: MIN_READY_PRIORITY, ephemeral: true });
        this.own.set(request.id, label.name);
        this.context.log.debug('requested a min-ready node', { label: label.name, request: request.id, minReady });
      }
    }
  }

  /** Whether one of our pools offers the label and its image is available there. */
  private servable(label: string): boolean {
    for (const name of this.context.config().providers.keys()) {
      const runtime = this.context.provider(name);
      if (!runtime) continue;
      for (const pool of runtime.config.pools.values()) {
        const configLabel = pool.labels.get(label);
        if (!configLabel) continue;
        if (configLabel.diskimage) {
          if (this.context.images.uploads({ image: configLabel.diskimage, provider: name }).some((upload) => upload.state === 'ready')) return true;
        } else if (runtime.provider.labelReady?.(label) ?? true) {
          return true;
        }
      }
    }
    return false;
  }
}
