import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runOncePerMachine } from './run-once-per-machine.js';
import { CommandError, runCommand } from './run-command.js';

const installing = new Map<string, Promise<void>>();

/**
 * Makes sure a Debian package is installed, with apt-get, when `installedFile` (a file the
 * package ships) is missing.
 *
 * Cheap when it is installed (one file check). Safe to call concurrently: calls in one process
 * share one attempt, and processes (ava runs test files in parallel workers) take turns through
 * a lock file in the temp dir, so apt-get runs once per machine.
 *
 * @throws Error explaining how to install it by hand when apt-get is missing or fails.
 */
export function ensureDebianPackage(packageName: string, installedFile: string): Promise<void> {
  if (existsSync(installedFile)) return Promise.resolve();
  let attempt = installing.get(packageName);
  if (!attempt) {
    attempt = runOncePerMachine({
      isDone: () => existsSync(installedFile),
      run: () => aptGetInstall(packageName, installedFile),
      lockFile: join(tmpdir(), `nodepool-testkit-${packageName}-install.lock`),
    }).finally(() => installing.delete(packageName));
    installing.set(packageName, attempt);
  }
  return attempt;
}

async function aptGetInstall(packageName: string, installedFile: string): Promise<void> {
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  try {
    // The lock timeout makes apt wait for, rather than fail on, a dpkg run we did not start
    // (or, in a rare stale-lock race, one of ours).
    const wait = ['-o', 'DPkg::Lock::Timeout=300'];
    await runCommand('apt-get', [...wait, 'update'], { env });
    await runCommand('apt-get', [...wait, 'install', '-y', packageName], { env });
  } catch (error) {
    const reason = error instanceof CommandError ? error.message : String(error);
    throw new Error(
      `The Debian package ${packageName} is not installed (${installedFile} is missing) and installing it failed.\n` +
        `  Install it yourself: sudo apt-get update && sudo apt-get install -y ${packageName}\n` +
        `  ${reason.replaceAll('\n', '\n  ')}`,
      { cause: error },
    );
  }
  if (!existsSync(installedFile)) {
    throw new Error(`apt-get installed "${packageName}" but ${installedFile} is still missing; is this a Debian-based system?`);
  }
}
