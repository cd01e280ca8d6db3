import { formatExplanation, ZooKeeperStatusSource, zooKeeperExplainSource } from '@nodepool/core';
import { CommandFailure } from '../program-types.js';
import { nowOf, withZooKeeper, type CommandContext } from '../cli-context.js';

export interface RequestExplainOptions {
  /** Print the explanation as JSON (the web API's `/request/ID/explain`). */
  json?: boolean;
}

/**
 * `nodepool request-explain ID` (ours): why a node request is where it is — every pool's latest
 * decision about it (a stable code and the reason in words, with figures), since when, and the
 * changes before, as the launchers published them; the health of the providers involved.
 * Exit 1 when neither ZooKeeper nor any launcher knows the request.
 */
export async function requestExplainCommand(context: CommandContext, id: string, options: RequestExplainOptions): Promise<number> {
  const explanation = await withZooKeeper(context, async (zk) => {
    const status = new ZooKeeperStatusSource(zk);
    return zooKeeperExplainSource(zk.client, { request: (requestId) => zk.getNodeRequest(requestId), poolComponents: () => status.poolComponents() }).explain(id);
  });
  if (!explanation.request && explanation.pools.length === 0) throw new CommandFailure(`node request ${id} not found`);
  if (options.json) context.output.out(JSON.stringify(explanation, null, 2));
  else context.output.out(formatExplanation(explanation, nowOf(context) * 1000).trimEnd());
  return 0;
}
