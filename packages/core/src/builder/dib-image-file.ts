import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';

/**
 * One file of a local build: `<images-dir>/<image>-<build-id>.<format>`, with the checksums
 * disk-image-create wrote beside it (`.md5`, `.sha256`) when there are any.
 */
export interface DibImageFile {
  /** `<image>-<build-id>`. */
  readonly imageId: string;
  /** The format, from the file's extension (`qcow2`, `raw`, `vhd`, …). */
  readonly extension: string;
  readonly path: string;
  readonly md5: string | undefined;
  readonly sha256: string | undefined;
  readonly md5File: string | undefined;
  readonly sha256File: string | undefined;
}

/** The files of `<image>-<build-id>` in the images directory, one per format; [] when none. */
export async function findDibImageFiles(imagesDir: string, imageId: string): Promise<DibImageFile[]> {
  const found: DibImageFile[] = [];
  for (const entry of await entriesOf(imagesDir)) {
    if (!entry.isFile()) continue;
    const dot = entry.name.lastIndexOf('.');
    // As Python's Path.stem/suffix: the stem must be the whole image ID, the rest one extension.
    if (dot <= 0 || entry.name.slice(0, dot) !== imageId) continue;
    const path = join(imagesDir, entry.name);
    const md5 = await checksum(`${path}.md5`, 32);
    const sha256 = await checksum(`${path}.sha256`, 64);
    found.push({
      imageId,
      extension: entry.name.slice(dot + 1),
      path,
      md5,
      sha256,
      md5File: md5 === undefined ? undefined : `${path}.md5`,
      sha256File: sha256 === undefined ? undefined : `${path}.sha256`,
    });
  }
  return found;
}

const LOCAL_BUILD = /^(.*)-([abcdef\d]+)\.(?:\w+)$/;

/** `(image, build ID)` of every build with something in the images directory. */
export async function localBuilds(imagesDir: string): Promise<{ image: string; buildId: string }[]> {
  const seen = new Map<string, { image: string; buildId: string }>();
  for (const entry of await entriesOf(imagesDir)) {
    const match = LOCAL_BUILD.exec(entry.name);
    if (!match) continue;
    const [, image, buildId] = match as unknown as [string, string, string];
    seen.set(`${image}\0${buildId}`, { image, buildId });
  }
  return [...seen.values()];
}

/**
 * Removes a build's files, their checksums and DIB's manifest directory (`<id>.d`). Safe to
 * call again, or when nothing is left.
 *
 * Differs from Nodepool: a manifest directory left without image files (a build killed before
 * DIB wrote them) is removed too; the original keeps it forever.
 */
export async function deleteLocalBuild(imagesDir: string, image: string, buildId: string, log: Logger): Promise<void> {
  const imageId = `${image}-${buildId}`;
  const files = await findDibImageFiles(imagesDir, imageId);
  const manifest = join(imagesDir, `${imageId}.d`);
  const hasManifest = (await stat(manifest).catch(() => undefined))?.isDirectory() ?? false;
  if (files.length === 0 && !hasManifest) return;
  log.info('removing the local files of a build', { image, buildId });
  for (const file of files) {
    for (const path of [file.path, file.md5File, file.sha256File]) {
      if (path === undefined) continue;
      await rm(path, { force: true });
      log.info('removed DIB file', { path });
    }
  }
  if (hasManifest) {
    await rm(manifest, { recursive: true, force: true });
    log.info('removed DIB manifest', { path: manifest });
  }
}

async function checksum(path: string, length: number): Promise<string | undefined> {
  try {
    return (await readFile(path, 'utf8')).slice(0, length);
  } catch {
    return undefined;
  }
}

async function entriesOf(dir: string) {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
}
