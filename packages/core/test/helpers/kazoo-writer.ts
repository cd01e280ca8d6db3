import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { ensureKazooInstalled } from '@nodepool/testkit';

/** One znode to create: its JSON data is written by Python's `json.dumps`, as the original does. */
export interface KazooCreate {
  readonly path: string;
  /** The record; null or absent for an empty znode. */
  readonly data?: unknown;
  readonly sequence?: boolean;
}

const script = fileURLToPath(new URL('./kazoo_writer.py', import.meta.url));

/**
 * Creates znodes through kazoo, in order, parents included (a testkit-style helper kept with
 * these tests: testkit's KazooPeer only speaks locks). Returns the created paths.
 */
export async function kazooCreate(hosts: string, ops: readonly KazooCreate[]): Promise<string[]> {
  await ensureKazooInstalled();
  return new Promise((resolve, reject) => {
    const child = execFile('/usr/bin/python3', [script, hosts], { timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`kazoo writer failed: ${stderr.trim() || error.message}`));
      else resolve(JSON.parse(stdout) as string[]);
    });
    child.stdin?.end(JSON.stringify(ops));
  });
}
