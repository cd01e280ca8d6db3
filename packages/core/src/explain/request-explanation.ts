import { NoNodeError, type ZooKeeperClient } from '@nodepool/zookeeper';
import type { BreakerSnapshot } from '../health/provider-breaker.js';
import type { Component } from '../zk/component.js';
import type { NodeRequest } from '../zk/node-request.js';
import { phaseOf, type ExplainPhase } from './explain-codes.js';
import { LAUNCHER_REPORTS_PATH, parseLauncherReport, type LauncherReport } from './launcher-report.js';
import type { PoolDecision } from './request-decision.js';

/** One pool's answer about a request, with the launcher that published it. */
export interface PoolExplanation extends PoolDecision {
  /** The host name of the launcher the pool worker runs in. */
  readonly launcher: string;
  readonly phase: ExplainPhase;
}

/** Everything known about why a request is where it is (`nodepool request-explain`, the web API). */
export interface RequestExplanation {
  readonly id: string;
  /** The request record; undefined when it does not exist (any more). */
  readonly request?: {
    readonly state: string;
    readonly nodeTypes: readonly string[];
    readonly requestor: string | null;
    readonly declinedBy: readonly string[];
    readonly stateTime: number;
  };
  /** Every pool worker that has a decision about it, sorted by provider, pool and worker. */
  readonly pools: readonly PoolExplanation[];
  /**
   * Registered pools that published nothing about it: launchers that do not publish (Nodepool
   * 9.0.0's), or that have not looked at it yet. By pool worker ID.
   */
  readonly silentPools: readonly { readonly poolWorker: string; readonly provider: string; readonly declined: boolean }[];
  /** Health of the providers involved that have a circuit breaker, by launcher. */
  readonly providers: readonly (BreakerSnapshot & { readonly launcher: string })[];
}

/** Reads every launcher's published report (corrupt ones left out). */
export async function readLauncherReports(client: ZooKeeperClient): Promise<LauncherReport[]> {
  let names: string[];
  try {
    names = (await client.getChildren(LAUNCHER_REPORTS_PATH)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
  const reports = await Promise.all(
    names.sort().map(async (name) => {
      try {
        return parseLauncherReport((await client.getData(`${LAUNCHER_REPORTS_PATH}/${name}`)).data);
      } catch (error) {
        if (error instanceof NoNodeError) return undefined; // its launcher just stopped
        throw error;
      }
    }),
  );
  return reports.filter((report): report is LauncherReport => report !== undefined);
}

/** Builds the explanation of a request from what launchers published. */
export function explainRequest(id: string, request: NodeRequest | undefined, reports: readonly LauncherReport[], pools: readonly Component[]): RequestExplanation {
  const explained: PoolExplanation[] = [];
  for (const report of reports) {
    for (const decision of report.requests[id] ?? []) explained.push({ ...decision, launcher: report.hostname, phase: phaseOf(decision.code) });
  }
  explained.sort((a, b) => a.provider.localeCompare(b.provider) || a.pool.localeCompare(b.pool) || a.poolWorker.localeCompare(b.poolWorker));
  const seen = new Set(explained.map((pool) => pool.poolWorker));
  const silentPools = pools
    .filter((pool) => pool.id !== undefined && !seen.has(pool.id))
    .map((pool) => ({ poolWorker: pool.id!, provider: pool.providerName ?? '', declined: request?.declinedBy.includes(pool.id!) ?? false }))
    .sort((a, b) => a.poolWorker.localeCompare(b.poolWorker));
  const providers = new Set(explained.map((pool) => pool.provider));
  const health = reports.flatMap((report) => report.providers.filter((breaker) => providers.has(breaker.provider)).map((breaker) => ({ ...breaker, launcher: report.hostname })));
  return {
    id,
    ...(request
      ? { request: { state: request.state, nodeTypes: [...request.nodeTypes], requestor: request.requestor, declinedBy: [...request.declinedBy], stateTime: request.stateTime } }
      : {}),
    pools: explained,
    silentPools,
    providers: health,
  };
}

/** Where an explanation is read from: ZooKeeper, as the CLI and every launcher's web API do. */
export interface ExplainSource {
  explain(id: string): Promise<RequestExplanation>;
}

/** Reads explanations from ZooKeeper: the request, the registered pools and the launchers' reports. */
export function zooKeeperExplainSource(client: ZooKeeperClient, records: { request(id: string): Promise<NodeRequest | undefined>; poolComponents(): Promise<Component[]> }): ExplainSource {
  return {
    async explain(id) {
      const [request, reports, pools] = await Promise.all([records.request(id), readLauncherReports(client), records.poolComponents()]);
      return explainRequest(id, request, reports, pools);
    },
  };
}
