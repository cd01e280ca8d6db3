import { sortContenders, type ZooKeeperClient } from '@nodepool/zookeeper';

/** Contenders left under every node lock and request lock directory. */
export async function leftoverLocks(client: ZooKeeperClient): Promise<string[]> {
  const left: string[] = [];
  for (const [root, lockOf] of [
    ['/nodepool/nodes', (id: string) => `/nodepool/nodes/${id}/lock`],
    ['/nodepool/requests-lock', (id: string) => `/nodepool/requests-lock/${id}`],
  ] as const) {
    const { children } = await client.getChildren(root).catch(() => ({ children: [] as string[] }));
    for (const id of children) {
      const contenders = await client.getChildren(lockOf(id)).then((reply) => sortContenders(reply.children), () => []);
      left.push(...contenders.map((name) => `${lockOf(id)}/${name}`));
    }
  }
  return left;
}
