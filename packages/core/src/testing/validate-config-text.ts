import { validateConfig, type ConfigValidation } from '../config/load-config.js';
import { formatIssue } from '../config/issues.js';
import { DriverRegistry } from '../discovery/driver-registry.js';
import type { Driver } from '../driver/driver.js';

/**
 * Validates configuration text, as `nodepool config-validate` would a file named
 * `nodepool.yaml` (and `secure.conf`), with the given drivers (found by name) instead of
 * installed packages. `messages` holds every error and load error formatted as the command
 * prints them. Nothing is written to disk.
 */
export async function validateConfigText(
  text: string,
  drivers: readonly Driver[],
  options: { secure?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<ConfigValidation & { valid: boolean; messages: string[] }> {
  const files = new Map([['nodepool.yaml', text], ...(options.secure !== undefined ? [['secure.conf', options.secure] as const] : [])]);
  const result = await validateConfig('nodepool.yaml', {
    drivers: DriverRegistry.of(...drivers),
    secureFile: options.secure !== undefined ? 'secure.conf' : undefined,
    env: options.env ?? {},
    readText: async (file) => files.get(file) ?? '',
  });
  return {
    ...result,
    valid: result.errors.length === 0,
    messages: [...result.errors, ...result.loadErrors].map(formatIssue),
  };
}
