import { NoNodeError } from '@nodepool/zookeeper';
import { buildPath, formatProviderHealth, imageBuildsPath, nodePath, providerInfo, readLauncherReports, renderStatusText, ZkPaths, ZooKeeperStatusSource, type NodepoolZooKeeper } from '@nodepool/core';
import { nowOf, withZooKeeper, type CommandContext } from '../cli-context.js';

/** `nodepool info PROVIDER`: the provider's upload records by build, and its nodes. */
export async function infoCommand(context: CommandContext, provider: string): Promise<number> {
  await withZooKeeper(context, async (zk) => {
    const info = await providerInfo(new ZooKeeperStatusSource(zk), provider);
    const now = nowOf(context);
    const { out } = context.output;
    out(`ZooKeeper data for provider ${provider}`);
    out('');
    out('Image data:');
    out(renderStatusText(info.images, { now }));
    out('');
    out('Nodes:');
    out(renderStatusText(info.nodes, { now }));
    // Ours: only providers with the opt-in circuit-breaker key have lines here.
    const health = formatProviderHealth(await readLauncherReports(zk.client), provider, now * 1000);
    if (health.length > 0) {
      out('');
      out('Health (circuit breaker):');
      for (const line of health) out(line);
    }
  });
  return 0;
}

/**
 * `nodepool erase PROVIDER [--force]`: removes the provider's upload records and nodes from
 * ZooKeeper without locks (for a provider taken out of service), after asking unless `--force`.
 */
export async function eraseCommand(context: CommandContext, provider: string, options: { force?: boolean }): Promise<number> {
  const { out } = context.output;
  return withZooKeeper(context, async (zk) => {
    const uploadDirs = await providerUploadDirs(zk, provider);
    const nodes = (await new ZooKeeperStatusSource(zk).nodes()).filter((node) => node.provider === provider);
    if (!options.force) {
      out('');
      out('WARNING! This action is not reversible!');
      const answer = (await context.output.ask?.(`Erase ZooKeeper data for provider ${provider}? [N/y] `)) ?? '';
      if (answer.trim().toLowerCase() !== 'y') {
        out('Aborting. No data erased.');
        return 0;
      }
    }
    out(`Erasing build data for ${provider}...`);
    for (const dir of uploadDirs) await zk.client.deleteRecursive(dir);
    out(`Erasing node data for ${provider}...`);
    for (const node of nodes) {
      // As the original: the record says `deleted` first, so a locker in between finishes the job.
      node.setState('deleted');
      try {
        await zk.client.setData(nodePath(node.id), Buffer.from(JSON.stringify(node.toJson())));
      } catch (error) {
        if (!(error instanceof NoNodeError)) throw error;
      }
      await zk.deleteNode(node);
    }
    return 0;
  });
}

/** `…/builds/<build>/providers/<provider>` of every build that has one. */
async function providerUploadDirs(zk: NodepoolZooKeeper, provider: string): Promise<string[]> {
  const dirs: string[] = [];
  for (const image of await childrenOf(zk, ZkPaths.images)) {
    for (const buildId of await childrenOf(zk, imageBuildsPath(image))) {
      if (buildId === 'lock') continue;
      const dir = `${buildPath(image, buildId)}/providers/${provider}`;
      if (await zk.client.exists(dir)) dirs.push(dir);
    }
  }
  return dirs;
}

async function childrenOf(zk: NodepoolZooKeeper, path: string): Promise<string[]> {
  try {
    return (await zk.client.getChildren(path)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}
