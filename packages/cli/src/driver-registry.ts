import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DriverRegistry } from '@nodepool/core';

/**
 * Drivers are looked up from the working directory, the configuration file's directory and
 * the CLI's own installation (the folder it was installed into, beside the drivers chosen).
 */
export function cliDriverRegistry(configFile: string): DriverRegistry {
  return new DriverRegistry({ searchFrom: [process.cwd(), dirname(configFile), dirname(fileURLToPath(import.meta.url))] });
}
