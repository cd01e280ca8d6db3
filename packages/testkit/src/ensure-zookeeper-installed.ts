import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOncePerMachine } from './run-once-per-machine.js';
import { CommandError, runCommand } from './run-command.js';

/** The jar that Debian's `zookeeper` package installs; its manifest Class-Path pulls in the rest. */
export const zooKeeperJar = '/usr/share/java/zookeeper.jar';

let installing: Promise<void> | undefined;

/**
 * Makes sure Apache ZooKeeper is installed, installing Debian's `zookeeper` package with apt-get
 * when `/usr/share/java/zookeeper.jar` is missing.
 *
 * Cheap when it is already installed (one file check), so every server start calls it. Safe to
 * call concurrently: calls in one process share one attempt, and processes (ava runs test files in
 * parallel workers) take turns through a lock file in the temp dir, so apt-get runs once per
 * machine. A lock left behind by a dead process is taken over.
 *
 * @throws Error explaining how to install it by hand when apt-get is missing or fails.
 */
export function ensureZooKeeperInstalled(): Promise<void> {
  if (existsSync(zooKeeperJar)) return Promise.resolve();
  installing ??= runOncePerMachine({
    isDone: () => existsSync(zooKeeperJar),
    run: aptGetInstall,
    lockFile: join(tmpdir(), 'nodepool-testkit-zookeeper-install.lock'),
  }).finally(() => {
    installing = undefined;
  });
  return installing;
}

async function aptGetInstall(): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    // The lock timeout makes apt wait for, rather than fail on, a dpkg run we did not start
    // (or, in a rare stale-lock race, one of ours).
    const wait = ['-o', 'DPkg::Lock::Timeout=300'];
    await runCommand('apt-get', [...wait, 'update'], { env });
    await runCommand('apt-get', [...wait, 'install', '-y', 'zookeeper'], { env });
  } catch (error) {
    const reason = error instanceof CommandError ? error.message : String(error);
    throw new Error(
      `Apache ZooKeeper is not installed (${zooKeeperJar} is missing) and installing it failed.\n` +
        `  Install it yourself (Debian/Ubuntu): sudo apt-get update && sudo apt-get install -y zookeeper\n` +
        `  ${reason.replaceAll('\n', '\n  ')}`,
      { cause: error },
    );
  }
  if (!existsSync(zooKeeperJar)) {
    throw new Error(`apt-get installed "zookeeper" but ${zooKeeperJar} is still missing; is this a Debian-based system?`);
  }
}
