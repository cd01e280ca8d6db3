import type { NodeCache } from '../zk/caches.js';
import type { Node, NodeState } from '../zk/node.js';
import type { CacheChange } from '../zk/tree-cache.js';

/** How a launch ended: the node became ready, or failed (aborted at quota counts as failed). */
export type LaunchOutcome = 'launched' | 'failed';

const LAUNCHING: ReadonlySet<NodeState> = new Set(['init', 'building', 'testing']);
const FAILED: ReadonlySet<NodeState> = new Set(['failed', 'aborted']);

/**
 * Follows the node cache and reports each launch once, with its provider, when its node leaves
 * `building` (or `init`, `testing`): for `ready`, launched; for `failed` or `aborted`, failed.
 * The cache holds every launcher's nodes, so every launcher reports the same launches.
 *
 * A node first seen failed or aborted counts as failed. A node first seen already ready counts
 * as launched only if it had another state before
 * (`state_time` later than `created_time`): a static node is registered ready, never launched.
 * Launches that ended before it starts are not counted. A launch retried inside the driver shows once,
 * with its final outcome (statsd's `nodepool.launch.*` counts each attempt).
 */
export class LaunchOutcomeWatcher {
  private readonly states = new Map<string, NodeState>();
  /** Nodes whose launch was reported: never again, should a stale read show them building anew. */
  private readonly reported = new Set<string>();
  private readonly onChange = (change: CacheChange<Node>): void => this.changed(change);

  constructor(
    private readonly cache: NodeCache,
    private readonly onOutcome: (provider: string, outcome: LaunchOutcome) => void,
  ) {}

  start(): void {
    for (const [id, node] of this.cache.entries()) this.states.set(id, node.state);
    this.cache.on('change', this.onChange);
  }

  stop(): void {
    this.cache.off('change', this.onChange);
    this.states.clear();
    this.reported.clear();
  }

  private changed(change: CacheChange<Node>): void {
    if (change.kind !== 'record') return;
    const node = change.value;
    if (!node) {
      this.states.delete(change.key);
      this.reported.delete(change.key);
      return;
    }
    const before = this.states.get(change.key);
    this.states.set(change.key, node.state);
    if (before === node.state) return;
    const launching = before === undefined || LAUNCHING.has(before);
    if (!launching || this.reported.has(change.key)) return;
    let outcome: LaunchOutcome | undefined;
    if (node.state === 'ready' && (before !== undefined || wentThroughAnotherState(node))) outcome = 'launched';
    else if (FAILED.has(node.state)) outcome = 'failed';
    if (!outcome) return;
    this.reported.add(change.key);
    this.onOutcome(node.provider ?? 'None', outcome);
  }
}

function wentThroughAnotherState(node: Node): boolean {
  return typeof node.createdTime === 'number' && node.stateTime > node.createdTime;
}
