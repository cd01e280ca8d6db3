import type { ZooKeeperClient } from '@nodepool/zookeeper';

const LAUNCHER_COMPONENTS = '/nodepool/components/launcher';

/**
 * The sessions of the registered launchers: the owners of their ephemeral component znodes.
 * The same set before and after a ZooKeeper outage means every launcher's session resumed.
 */
export async function launcherSessions(client: ZooKeeperClient): Promise<Set<string>> {
  const { children } = await client.getChildren(LAUNCHER_COMPONENTS).catch(() => ({ children: [] as string[] }));
  const owners = await Promise.all(
    children.map((child) =>
      client.exists(`${LAUNCHER_COMPONENTS}/${child}`).then(
        (stat) => (stat ? stat.ephemeralOwner.toString(16) : undefined),
        () => undefined,
      ),
    ),
  );
  return new Set(owners.filter((owner): owner is string => owner !== undefined));
}

/** "yes", or which sessions ended, for a figure line. */
export function describeResumption(before: ReadonlySet<string>, after: ReadonlySet<string>): { resumed: boolean; text: string } {
  const lost = [...before].filter((session) => !after.has(session));
  return lost.length === 0 ? { resumed: true, text: `sessions resumed ${before.size}/${before.size}` } : { resumed: false, text: `sessions resumed ${before.size - lost.length}/${before.size}` };
}
