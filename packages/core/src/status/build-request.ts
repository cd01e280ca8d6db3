import { NoNodeError, type ZooKeeperClient } from '@nodepool/zookeeper';
import { imageBuildLockPath, imageBuildRequestPath, imageBuildsPath } from '../zk/paths.js';
import type { BuildRequestInfo } from './status-source.js';

/**
 * Reads the manual build request of an image, with the original's guess at whether a builder
 * has taken it up: while the image build lock is held, the request counts as being built once
 * a build record exists that was created after the lock directory.
 *
 * Differs from Nodepool: it compares with the newest build; the original takes whichever build
 * ZooKeeper lists first, which is arbitrary.
 */
export async function readBuildRequest(client: ZooKeeperClient, image: string): Promise<BuildRequestInfo | undefined> {
  const flag = await client.exists(imageBuildRequestPath(image));
  if (!flag) return undefined;
  let pending = true;
  const lock = await client.exists(imageBuildLockPath(image));
  if (lock && lock.numChildren > 0) {
    const builds = await childrenOf(client, imageBuildsPath(image));
    const stats = await Promise.all(builds.filter((name) => name !== 'lock').map((name) => client.exists(`${imageBuildsPath(image)}/${name}`)));
    const newest = Math.max(-Infinity, ...stats.map((stat) => stat?.ctime ?? -Infinity));
    pending = !(newest >= lock.ctime);
  }
  return { pending, createdTime: flag.ctime / 1000 };
}

async function childrenOf(client: ZooKeeperClient, path: string): Promise<string[]> {
  try {
    return (await client.getChildren(path)).children;
  } catch (error) {
    if (error instanceof NoNodeError) return [];
    throw error;
  }
}
