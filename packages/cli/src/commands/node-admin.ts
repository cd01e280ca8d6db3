import { createProvider, getLogger, LockUnavailableError, NodeDeleter, nodeList, NODE_LIST_SUMMARY_FIELDS, ZooKeeperStatusSource, type Node, type NodepoolConfig, type NodepoolZooKeeper } from '@nodepool/core';
import { driversFor, nowOf, withZooKeeper, type CommandContext } from '../cli-context.js';
import { printListing } from '../print-listing.js';
import { CommandFailure } from '../program-types.js';

/** How long `delete` and `hold` wait for a node's lock, as the original. */
const LOCK_TIMEOUT_MS = 5_000;

/**
 * `nodepool delete ID [--now]`: marks the node `deleting` for a launcher to delete, or with
 * `--now` deletes it here with the provider of the local configuration; then lists it.
 */
export async function deleteCommand(context: CommandContext, id: string, options: { now?: boolean }): Promise<number> {
  await withZooKeeper(context, async (zk, config) => {
    const node = await lockExisting(zk, id);
    if (options.now) await deleteNow(context, zk, config, node);
    else await changeState(zk, node, 'deleting');
    await printNode(context, zk, id);
  });
  return 0;
}

/** `nodepool hold ID`: sets the node to `hold` (no job, no expiry), then lists it. */
export async function holdCommand(context: CommandContext, id: string): Promise<number> {
  await withZooKeeper(context, async (zk) => {
    await changeState(zk, await lockExisting(zk, id), 'hold');
    await printNode(context, zk, id);
  });
  return 0;
}

/** Locks the node (blocking, 5 s) and returns it re-read. */
async function lockExisting(zk: NodepoolZooKeeper, id: string): Promise<Node> {
  if (!(await zk.getNode(id))) throw new CommandFailure(`Node id ${id} not found`);
  try {
    await zk.lockNode(id, { blocking: true, timeoutMs: LOCK_TIMEOUT_MS });
  } catch (error) {
    if (!(error instanceof LockUnavailableError)) throw error;
    if (!(await zk.getNode(id))) throw new CommandFailure(`Node id ${id} not found`);
    throw new CommandFailure(`Node ${id} is locked by someone else (waited ${LOCK_TIMEOUT_MS / 1000} s)`);
  }
  const fresh = await zk.getNode(id);
  if (!fresh) {
    await zk.unlockNode(id);
    throw new CommandFailure(`Node id ${id} not found`);
  }
  return fresh;
}

async function changeState(zk: NodepoolZooKeeper, node: Node, state: 'deleting' | 'hold'): Promise<void> {
  try {
    node.setState(state);
    await zk.storeNode(node);
  } finally {
    await zk.unlockNode(node);
  }
}

/** Runs the deletion protocol here, with the node's provider from the local configuration. */
async function deleteNow(context: CommandContext, zk: NodepoolZooKeeper, config: NodepoolConfig, node: Node): Promise<void> {
  const providerConfig = node.provider ? config.providers.get(node.provider) : undefined;
  if (!providerConfig) {
    await zk.unlockNode(node);
    throw new CommandFailure(`Provider ${node.provider} for node ${node.id} not defined on this launcher`);
  }
  const log = getLogger('nodepool.cmd', { provider: providerConfig.name });
  const driver = await driversFor(context).resolve(providerConfig.driver);
  const provider = createProvider(providerConfig, driver, { zk, hostname: 'nodepool-cli', log }, { listingIntervalMs: 10_000, quotaCacheMs: 300_000 });
  if (!provider) {
    await zk.unlockNode(node);
    throw new CommandFailure(`The ${providerConfig.driver} driver of provider ${providerConfig.name} cannot delete nodes yet`);
  }
  await provider.start();
  try {
    const runtime = { config: providerConfig, driver, provider, activeRequests: 0 };
    const deleter = new NodeDeleter(zk, (name) => (name === providerConfig.name ? runtime : undefined), log, 600_000);
    await deleter.deleteLocked(node);
  } finally {
    await provider.stop();
  }
  // The deleter logs and unlocks on failure, leaving the record for a launcher to retry.
  if (await zk.getNode(node.id)) throw new CommandFailure(`Node ${node.id} could not be deleted; it is left for a launcher to delete`);
}

async function printNode(context: CommandContext, zk: NodepoolZooKeeper, id: string): Promise<void> {
  const now = nowOf(context);
  const listing = await nodeList(new ZooKeeperStatusSource(zk), { nodeId: id, now });
  printListing(context.output, listing, { fields: NODE_LIST_SUMMARY_FIELDS, now });
}
