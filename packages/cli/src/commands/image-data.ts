import { chmod, readFile, writeFile } from 'node:fs/promises';
import { exportImageData, importImageData, pythonJsonDumps, type ImageData } from '@nodepool/core';
import { withZooKeeper, type CommandContext } from '../cli-context.js';
import { CommandFailure } from '../program-types.js';

/** `nodepool export-image-data PATH`: every build and upload record, as JSON, readable by the owner only. */
export async function exportImageDataCommand(context: CommandContext, path: string): Promise<number> {
  const data = await withZooKeeper(context, (zk) => exportImageData(zk));
  await writeFile(path, pythonJsonDumps(data), { mode: 0o600 });
  // An existing file keeps its mode on write; the data may name cloud resources.
  await chmod(path, 0o600);
  return 0;
}

/** `nodepool import-image-data PATH`: writes exported records back (run it on a stopped system). */
export async function importImageDataCommand(context: CommandContext, path: string): Promise<number> {
  let data: ImageData;
  try {
    const parsed: unknown = JSON.parse(await readFile(path, 'utf8'));
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('not a JSON object');
    data = parsed as ImageData;
  } catch (error) {
    throw new CommandFailure(`cannot read ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  await withZooKeeper(context, async (zk) => {
    try {
      await importImageData(zk.client, data);
    } catch (error) {
      if (error instanceof Error && / is not | not a JSON object/.test(error.message)) throw new CommandFailure(`${path}: ${error.message}`);
      throw error;
    }
  });
  return 0;
}
