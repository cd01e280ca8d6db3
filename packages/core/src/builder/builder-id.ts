import { randomUUID } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * The builder's persistent ID, `<images-dir>/builder_id.txt`: a uuid4 (with dashes) made on the
 * first start and kept, so builds stay this builder's across host renames (`builder_id` of
 * build records).
 */
export async function readBuilderId(imagesDir: string): Promise<string> {
  const file = join(imagesDir, 'builder_id.txt');
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  await mkdir(imagesDir, { recursive: true });
  const id = randomUUID();
  await writeFile(file, id);
  return id;
}
