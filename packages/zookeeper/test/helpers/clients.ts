import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { ZooKeeperClient, type ZooKeeperClientOptions } from '@nodepool/zookeeper';

/**
 * Connects a client in a chroot of its own, so tests sharing one server never see each
 * other's znodes, and closes it when the test ends.
 */
export async function connectClient(
  t: ExecutionContext,
  servers: string,
  options: Partial<ZooKeeperClientOptions> = {},
): Promise<ZooKeeperClient> {
  const client = new ZooKeeperClient({ servers, chroot: `/test-${randomUUID()}`, sessionTimeoutMs: 10_000, ...options });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  return client;
}

/** A second client on the same chroot as `first`: another session looking at the same tree. */
export async function connectPeer(t: ExecutionContext, servers: string, first: ZooKeeperClient, options: Partial<ZooKeeperClientOptions> = {}): Promise<ZooKeeperClient> {
  return connectClient(t, servers, { chroot: first.chroot, ...options });
}
