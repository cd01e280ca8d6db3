import { join } from 'node:path';
import type { DiskImageConfig } from '../config/nodepool-config.js';
import { shellSplit } from './shell-split.js';

/** What the builder runs for one build: the command's words and its environment. */
export interface DibCommand {
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string>>;
  /** `<images-dir>/<image>-<build-id>`: DIB writes `<this>.<format>` for each format. */
  readonly outputBase: string;
  /** The command line as logged. */
  readonly line: string;
}

/** HP Cloud once needed qcow2 compat 0.10; every qcow2 is still made so, as the original does. */
const QEMU_IMG_OPTIONS = "--qemu-img-options 'compat=0.10'";

/**
 * The disk-image-create invocation of the original builder, argument for argument:
 * `<dib-cmd> -x -t <formats> --checksum --no-tmpfs [qemu options] -o <images-dir>/<image>-<build>
 * <elements…>`, split as `shlex.split` would, with `DIB_RELEASE`, `DIB_IMAGE_NAME`,
 * `DIB_IMAGE_FILENAME`, `ELEMENTS_PATH` (when `elements-dir` is set) and the diskimage's
 * `env-vars` (which win) on top of the builder's own environment.
 *
 * `%p` in `dib-cmd` stands for `moduleDir`, as the original replaces it with its own module's
 * directory (its test suite's fake command lives there).
 */
export function dibCommand(options: {
  diskimage: DiskImageConfig;
  /** The formats to make; written sorted, comma-joined. */
  formats: readonly string[];
  buildId: string;
  imagesDir: string;
  elementsDir: string | undefined;
  baseEnv: NodeJS.ProcessEnv;
  moduleDir: string;
}): DibCommand {
  const { diskimage, buildId } = options;
  const outputBase = join(options.imagesDir, `${diskimage.name}-${buildId}`);
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(options.baseEnv)) if (value !== undefined) env[key] = value;
  env.DIB_RELEASE = diskimage.release;
  env.DIB_IMAGE_NAME = diskimage.name;
  env.DIB_IMAGE_FILENAME = outputBase;
  if (options.elementsDir) env.ELEMENTS_PATH = options.elementsDir;
  for (const [key, value] of Object.entries(diskimage.envVars)) env[key] = String(value);

  const formats = [...options.formats].sort().join(',');
  const qemu = formats.includes('qcow2') ? QEMU_IMG_OPTIONS : '';
  const dib = diskimage.dibCmd.replaceAll('%p', options.moduleDir);
  const line = `${dib} -x -t ${formats} --checksum --no-tmpfs ${qemu} -o ${outputBase} ${diskimage.elements.join(' ')}`;
  return { argv: shellSplit(line), env, outputBase, line };
}
