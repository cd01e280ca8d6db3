import { mkdir, readdir, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';

/** Where build logs go when `build-log-dir` is not set, as in the original. */
export const DEFAULT_BUILD_LOG_DIR = '/var/log/nodepool/builds';

/** `<build-log-dir>/<image>-<build-id>.log`, the directory made if missing. */
export async function buildLogPath(logDir: string | undefined, image: string, buildId: string): Promise<string> {
  const dir = logDir || DEFAULT_BUILD_LOG_DIR;
  await mkdir(dir, { recursive: true });
  return join(dir, `${image}-${buildId}.log`);
}

/**
 * Keeps the newest `retention` logs of an image (at least one) before a new build adds its own,
 * as the original does; a negative retention keeps every log. Oldest go first, by mtime.
 *
 * Differs from Nodepool: only logs named `<image>-<build id>.log` count; the original prunes
 * every file whose name starts with the image name, other images' logs included (`foo` would
 * prune `foobar-…`).
 */
export async function pruneBuildLogs(logDir: string | undefined, image: string, retention: number, log: Logger): Promise<void> {
  if (retention < 0) return;
  const dir = logDir || DEFAULT_BUILD_LOG_DIR;
  const keep = Math.max(retention, 1);
  const pattern = new RegExp(`^${escapeRegExp(image)}-[0-9a-f]+\\.log$`);
  let names: string[];
  try {
    names = (await readdir(dir)).filter((name) => pattern.test(name));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const dated = await Promise.all(names.map(async (name) => ({ path: join(dir, name), mtime: (await stat(join(dir, name))).mtimeMs })));
  dated.sort((a, b) => a.mtime - b.mtime || (a.path < b.path ? -1 : 1));
  for (const { path } of dated.slice(0, Math.max(0, dated.length - keep))) {
    log.info('deleting an old build log', { path });
    await unlink(path).catch(() => undefined);
  }
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
