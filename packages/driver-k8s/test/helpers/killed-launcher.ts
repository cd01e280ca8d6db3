import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Cluster } from '@nodepool/core/testing';
import { KUBECONFIG_FILE } from './fake-cluster.js';

/**
 * A launcher in a process of its own on `body` (with short ZooKeeper sessions, so its locks go
 * soon after it dies), started and serving; the caller kills it with SIGKILL.
 */
export async function launcherProcess(t: { teardown(fn: () => unknown): void }, c: Cluster, body: string, hostname: string): Promise<ChildProcess> {
  const file = join(c.dir, `${hostname}.yaml`);
  await writeFile(file, c.configText(body));
  const script = fileURLToPath(new URL('../fixtures/launcher-process.ts', import.meta.url));
  const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', script, file, hostname], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, KUBECONFIG: KUBECONFIG_FILE },
  });
  t.teardown(() => child.kill('SIGKILL'));
  const [started] = (await once(child.stdout!, 'data')) as [Buffer];
  if (started.toString().trim() !== 'started') throw new Error(`the launcher process said ${started.toString()}`);
  return child;
}

/** Kills the process at once (no chance to clean up) and waits for it to be gone. */
export async function killHard(child: ChildProcess): Promise<void> {
  child.kill('SIGKILL');
  if (child.exitCode === null && child.signalCode === null) await once(child, 'exit');
}
