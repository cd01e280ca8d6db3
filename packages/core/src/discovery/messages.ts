import { KNOWN_DRIVER_PACKAGES } from './driver-package-candidates.js';
import type { DriverReference } from './errors.js';

function referenced(reference: DriverReference | undefined): string[] {
  if (!reference) return [];
  return [`  Referenced by: ${reference.what}${reference.file ? ` in ${reference.file}` : ''}`];
}

/** Which package to install for a driver name. */
export function packageToInstall(driverName: string, tried: readonly string[]): string {
  return KNOWN_DRIVER_PACKAGES[driverName] ?? tried[0] ?? driverName;
}

export function driverNotFoundMessage(options: {
  driverName: string;
  tried: readonly string[];
  searchedFrom: readonly string[];
  available: readonly string[];
  reference?: DriverReference;
}): string {
  const { driverName, tried, searchedFrom, available, reference } = options;
  return [
    `Driver "${driverName}" could not be found.`,
    `  Tried: ${tried.join(', ')}, then every installed package declaring "${driverName}" (resolved from ${searchedFrom.join(', ')})`,
    ...referenced(reference),
    `  Drivers found: ${available.length > 0 ? available.join(', ') : 'none'}`,
    `  Install it with:  npm install ${packageToInstall(driverName, tried)}`,
  ].join('\n');
}

export function driverLoadMessage(options: { driverName: string; packageName: string; directory: string; cause: unknown; reference?: DriverReference }): string {
  const reason = options.cause instanceof Error ? options.cause.message : String(options.cause);
  return [
    `Driver "${options.driverName}" was found in ${options.packageName} but failed to load: ${reason}`,
    `  Package: ${options.directory}`,
    ...referenced(options.reference),
    `  Reinstall it, or install what it is missing:  npm install ${options.packageName}`,
  ].join('\n');
}

export function invalidDriverMessage(options: { driverName: string; packageName: string; missing: readonly string[]; reference?: DriverReference }): string {
  return [
    `${options.packageName} does not look like a valid Nodepool driver for "${options.driverName}": missing or wrong ${options.missing.join(', ')}.`,
    `  A driver package's default export is a Driver (or an array of them) with name, providerSchema and parseConfig.`,
    ...referenced(options.reference),
  ].join('\n');
}

export function nameMismatchMessage(options: { driverName: string; packageName: string; declared: readonly string[]; exported: readonly string[] }): string {
  return [
    `${options.packageName} does not provide driver "${options.driverName}" consistently.`,
    `  package.json declares: ${options.declared.join(', ') || 'nothing'}; the module exports: ${options.exported.join(', ') || 'nothing'}`,
  ].join('\n');
}
