import type { Cluster } from './cluster.js';
import { settle } from './node-census.js';
import { tallyOutcomes, type ScenarioResult } from './scenario-result.js';
import { LABEL } from './sim-config.js';
import { ZuulLoad, type LoadOptions } from './zuul-load.js';

export interface RunLoadOptions extends Partial<LoadOptions> {
  total: number;
  concurrency: number;
  /** Requests a launcher may fail (with a reason) without breaking the scenario. Default 0. */
  allowedFailures?: number;
  /** How long the launchers' leak cleanup may take to remove instances without a node. Default 150 s (two passes a minute apart). */
  leakMs?: number;
  /** Node znodes the scenario wrote itself (corrupt ones), left out of every count. */
  ignoreNodes?: ReadonlySet<string>;
}

/**
 * The shape most scenarios share: Zuul-like load on the cluster while `disturb` does its damage,
 * then the aftermath (nodes at rest, leaks cleaned up), and the figures with the invariants every
 * scenario holds to: every request fulfilled (or failed with a reason, up to `allowedFailures`),
 * none stuck, no node left locked or between states, nothing leaked, no node handed out twice,
 * every launcher alive. `disturb` returns extra figures and violations of its own.
 */
export async function runLoad(
  cluster: Cluster,
  name: string,
  options: RunLoadOptions,
  disturb: (load: ZuulLoad) => Promise<{ extra?: string[]; violations?: string[] } | void>,
): Promise<ScenarioResult> {
  const started = Date.now();
  const clients = await Promise.all(Array.from({ length: Math.min(options.concurrency, 8) }, () => cluster.client()));
  const load = new ZuulLoad(clients, {
    labels: options.labels ?? [LABEL],
    concurrency: options.concurrency,
    total: options.total,
    requestTimeoutMs: options.requestTimeoutMs ?? 180_000,
    jobMs: options.jobMs,
  });
  const [outcomes, disturbed] = await Promise.all([load.run(), disturb(load)]);
  const tally = tallyOutcomes(outcomes);
  const { stuckNodes, leaked, orphansFound, leakCleanupMs } = await settle(clients[0]!, cluster.cloud, { settleMs: 60_000, leakMs: options.leakMs ?? 150_000, ignore: options.ignoreNodes });

  const violations = [...(disturbed?.violations ?? [])];
  const allowed = options.allowedFailures ?? 0;
  if (tally.failed > allowed) {
    const reasons = [...tally.failureReasons].map(([reason, count]) => `${count} × ${reason}`).join('; ');
    violations.push(`${tally.failed} requests failed (at most ${allowed} allowed): ${reasons}`);
  }
  if (tally.stuckRequests > 0) violations.push(`${tally.stuckRequests} requests neither fulfilled nor failed within ${(options.requestTimeoutMs ?? 180_000) / 1000} s`);
  if (tally.notSubmitted > 0) violations.push(`${tally.notSubmitted} requests could not be submitted (the harness's ZooKeeper client gave up)`);
  if (stuckNodes.length > 0) {
    const shown = stuckNodes.slice(0, 5).map((node) => `${node.id} ${node.state ?? '?'}${node.locked ? ' locked' : ''}`);
    violations.push(`${stuckNodes.length} nodes not at rest a minute after the load (${shown.join(', ')}${stuckNodes.length > 5 ? ', …' : ''})`);
  }
  if (leaked.length > 0) violations.push(`${leaked.length} cloud instances without a node record after cleanup (${leaked.slice(0, 5).join(', ')})`);
  if (tally.doubleAllocated.length > 0) violations.push(`nodes handed out twice: ${tally.doubleAllocated.slice(0, 5).join('; ')}`);
  violations.push(...cluster.crashReports());

  const extra = [...(disturbed?.extra ?? [])];
  if (orphansFound > 0) extra.push(`${orphansFound} instances without a node after the load, ${leaked.length > 0 ? 'not all' : 'all'} cleaned up in ${(leakCleanupMs / 1000).toFixed(0)} s`);
  if (tally.failed > 0 && tally.failed <= allowed) extra.push(`failure reasons: ${[...tally.failureReasons].map(([reason, count]) => `${count} × ${reason}`).join('; ')}`);
  return {
    name,
    fulfilled: tally.fulfilled,
    failed: tally.failed,
    stuck: tally.stuckRequests + stuckNodes.length,
    leaked: leaked.length,
    longestWaitMs: tally.longestWaitMs,
    daemonsSurvived: cluster.daemonsSurvived(),
    extra,
    violations,
    seconds: (Date.now() - started) / 1000,
  };
}
