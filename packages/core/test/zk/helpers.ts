import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { ZooKeeperClient, type ZooKeeperClientOptions } from '@nodepool/zookeeper';
import { NodepoolZooKeeper } from '@nodepool/core';

/**
 * A client in a fresh chroot of its own: tests sharing a server never see each other's
 * `/nodepool` tree. Closed when the test ends.
 */
export async function connect(
  t: ExecutionContext,
  servers: string,
  options: Partial<ZooKeeperClientOptions> = {},
): Promise<ZooKeeperClient> {
  const client = new ZooKeeperClient({ servers, chroot: `/t-${randomUUID()}`, sessionTimeoutMs: 10_000, ...options });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  return client;
}

/** Another session on the same chroot. */
export async function connectPeer(t: ExecutionContext, servers: string, first: ZooKeeperClient, options: Partial<ZooKeeperClientOptions> = {}): Promise<ZooKeeperClient> {
  return connect(t, servers, { chroot: first.chroot, ...options });
}

export async function nodepoolZk(t: ExecutionContext, client: ZooKeeperClient): Promise<NodepoolZooKeeper> {
  const zk = new NodepoolZooKeeper(client);
  t.teardown(() => zk.stop());
  return zk;
}
