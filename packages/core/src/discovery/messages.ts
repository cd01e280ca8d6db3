import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { KNOWN_DRIVER_PACKAGES, driverPackageCandidates } from './driver-package-candidates.js';

/*
 * Every message is one line: configuration problems are printed one per line as
 * `file:line key.path: message`, which already says who referenced the driver. What was tried
 * and where is kept in the errors' fields (and logged at debug).
 */

/** Which package to install for a driver name. */
export function packageToInstall(driverName: string, tried: readonly string[] = driverPackageCandidates(driverName)): string {
  return KNOWN_DRIVER_PACKAGES[driverName] ?? tried[0] ?? driverName;
}

/**
 * The npm command that installs `packageName` where this Nodepool finds it and shares its
 * `@nodepool/core` (a driver's peer dependency): in the folder whose `node_modules` holds core.
 * That is `npm install X` when it is the working directory (or core is not installed from npm,
 * as in a checkout), and `npm install --prefix FOLDER X` otherwise.
 */
export function installCommand(packageName: string, options: { coreLocation?: string; cwd?: string } = {}): string {
  const coreLocation = options.coreLocation ?? fileURLToPath(import.meta.url);
  const marker = '/node_modules/';
  const at = coreLocation.lastIndexOf(marker);
  if (at === -1) return `npm install ${packageName}`;
  const folder = coreLocation.slice(0, at) || '/';
  const cwd = options.cwd ?? process.cwd();
  return samePath(folder, cwd) ? `npm install ${packageName}` : `npm install --prefix ${folder} ${packageName}`;
}

function samePath(a: string, b: string): boolean {
  const real = (path: string): string => {
    try {
      return realpathSync(path);
    } catch {
      return path;
    }
  };
  return a === b || real(a) === real(b);
}

export function driverNotFoundMessage(options: { driverName: string; available: readonly string[]; installCommand: string }): string {
  const { driverName, available } = options;
  return `Driver "${driverName}" could not be found. Drivers found: ${available.length > 0 ? available.join(', ') : 'none'}. Install it with: ${options.installCommand}`;
}

export function driverLoadMessage(options: { driverName: string; packageName: string; directory: string; cause: unknown }): string {
  const reason = (options.cause instanceof Error ? options.cause.message : String(options.cause)).split('\n')[0];
  return `Driver "${options.driverName}" was found in ${options.packageName} (${options.directory}) but failed to load: ${reason}. Reinstall it, or install what it is missing: ${installCommand(options.packageName)}`;
}

export function invalidDriverMessage(options: { driverName: string; packageName: string; missing: readonly string[] }): string {
  return `${options.packageName} does not look like a valid Nodepool driver for "${options.driverName}": missing or wrong ${options.missing.join(', ')} (a driver package's default export is a Driver, or an array of them, with name, providerSchema and parseConfig)`;
}

export function nameMismatchMessage(options: { driverName: string; packageName: string; declared: readonly string[]; exported: readonly string[] }): string {
  return `${options.packageName} does not provide driver "${options.driverName}" consistently: package.json declares: ${options.declared.join(', ') || 'nothing'}; the module exports: ${options.exported.join(', ') || 'nothing'}`;
}
