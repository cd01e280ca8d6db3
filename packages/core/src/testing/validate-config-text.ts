import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateConfig, type ConfigValidation } from '../config/load-config.js';
import { formatIssue } from '../config/issues.js';
import { DriverRegistry } from '../discovery/driver-registry.js';
import type { Driver } from '../driver/driver.js';

/**
 * Validates configuration text, as `nodepool config-validate` would a file, with the given
 * drivers (found by name) instead of installed packages. `messages` holds every error and load
 * error formatted as the command prints them.
 */
export async function validateConfigText(
  text: string,
  drivers: readonly Driver[],
  options: { secure?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ConfigValidation & { valid: boolean; messages: string[] }> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-config-'));
  try {
    const file = join(dir, 'nodepool.yaml');
    await writeFile(file, text);
    let secureFile: string | undefined;
    if (options.secure !== undefined) {
      secureFile = join(dir, 'secure.conf');
      await writeFile(secureFile, options.secure);
    }
    const result = await validateConfig(file, { drivers: DriverRegistry.of(...drivers), secureFile, env: options.env ?? {} });
    return {
      ...result,
      valid: result.errors.length === 0,
      messages: [...result.errors, ...result.loadErrors].map((issue) => formatIssue({ ...issue, file: issue.file?.replace(`${dir}/`, '') })),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
