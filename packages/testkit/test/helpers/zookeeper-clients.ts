import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { ZooKeeperClient } from '@nodepool/zookeeper';

/**
 * Connected clients in one fresh chroot, one per party (Zuul, the launcher, an observer), so
 * each has its own session as separate processes would, and tests sharing a server never see
 * each other's znodes. Every client is closed when the test ends.
 */
export async function connectParties<const Names extends readonly string[]>(
  t: ExecutionContext,
  connectString: string,
  names: Names,
): Promise<{ chroot: string } & Record<Names[number], ZooKeeperClient>> {
  const chroot = `/test-${randomUUID()}`;
  const clients: Record<string, ZooKeeperClient> = {};
  for (const name of names) {
    const client = new ZooKeeperClient({ servers: connectString, chroot, sessionTimeoutMs: 10_000 });
    t.teardown(() => client.close());
    await client.connect();
    await client.mkdirp('/');
    clients[name] = client;
  }
  return { chroot, ...clients } as { chroot: string } & Record<Names[number], ZooKeeperClient>;
}

/** The znode's data as JSON. */
export async function readJson(client: ZooKeeperClient, path: string): Promise<Record<string, unknown>> {
  return JSON.parse((await client.getData(path)).data.toString('utf8')) as Record<string, unknown>;
}
