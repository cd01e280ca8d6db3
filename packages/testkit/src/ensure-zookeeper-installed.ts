import { ensureDebianPackage } from './ensure-debian-package.js';

/** The jar that Debian's `zookeeper` package installs; its manifest Class-Path pulls in the rest. */
export const zooKeeperJar = '/usr/share/java/zookeeper.jar';

/**
 * Makes sure Apache ZooKeeper is installed, installing Debian's `zookeeper` package when
 * `/usr/share/java/zookeeper.jar` is missing. Every server start calls it.
 */
export function ensureZooKeeperInstalled(): Promise<void> {
  return ensureDebianPackage('zookeeper', zooKeeperJar);
}
