import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { DRIVER_MEMBERS, type Driver } from '../driver/driver.js';
import { getLogger } from '../log.js';
import { driverPackageCandidates } from './driver-package-candidates.js';
import {
  DriverLoadError,
  DriverNameMismatchError,
  DriverNotFoundError,
  InvalidDriverError,
  type DriverReference,
} from './errors.js';
import { findDriverPackages, findPackage, packageEntry, type InstalledPackage } from './installed-packages.js';
import { driverLoadMessage, driverNotFoundMessage, installCommand, invalidDriverMessage, nameMismatchMessage, packageToInstall } from './messages.js';

/** Finds the Driver for a `driver:` name. */
export interface DriverResolver {
  resolve(driverName: string, reference?: DriverReference): Promise<Driver>;
}

/**
 * Resolves driver names to installed npm packages, wherever Node's resolution would find them
 * from the search bases (by default: the working directory and core's own location), loads each
 * package once, and checks what it exports. See `driverPackageCandidates` for the order.
 */
export class DriverRegistry implements DriverResolver {
  private readonly log = getLogger('nodepool.driver.DriverRegistry');
  private readonly loaded = new Map<string, Promise<Driver>>();
  private readonly bases: string[];

  constructor(options: { searchFrom?: readonly string[] } = {}) {
    this.bases = [...(options.searchFrom ?? [process.cwd()]), dirname(fileURLToPath(import.meta.url))];
  }

  /** A registry that serves the given drivers and nothing else (tests, embedding). */
  static of(...drivers: Driver[]): DriverResolver {
    const byName = new Map(drivers.map((driver) => [driver.name, driver]));
    return {
      resolve: async (name) => {
        const driver = byName.get(name);
        if (!driver) {
          const install = installCommand(packageToInstall(name));
          throw new DriverNotFoundError(name, [], driverNotFoundMessage({ driverName: name, available: [...byName.keys()], installCommand: install }), { searchedFrom: [], installCommand: install });
        }
        return driver;
      },
    };
  }

  /** Names of every driver an installed package declares. */
  availableDrivers(): string[] {
    return [...new Set(findDriverPackages(this.bases).flatMap((pkg) => pkg.drivers))].sort();
  }

  resolve(driverName: string, reference?: DriverReference): Promise<Driver> {
    let driver = this.loaded.get(driverName);
    if (!driver) {
      driver = this.load(driverName, reference);
      // A failure is not cached: installing the package and reloading must work.
      driver.catch(() => this.loaded.delete(driverName));
      this.loaded.set(driverName, driver);
    }
    return driver;
  }

  private async load(driverName: string, reference: DriverReference | undefined): Promise<Driver> {
    const tried = driverPackageCandidates(driverName);
    let pkg: InstalledPackage | undefined;
    for (const candidate of tried) {
      pkg = findPackage(candidate, this.bases);
      if (pkg) break;
    }
    pkg ??= findDriverPackages(this.bases).find((installed) => installed.drivers.includes(driverName));
    if (!pkg) {
      const install = installCommand(packageToInstall(driverName, tried));
      this.log.debug('driver not found', { driver: driverName, tried, searchedFrom: this.bases, referencedBy: reference?.what, file: reference?.file });
      throw new DriverNotFoundError(driverName, tried, driverNotFoundMessage({ driverName, available: this.availableDrivers(), installCommand: install }), {
        searchedFrom: this.bases,
        installCommand: install,
      });
    }
    if (!pkg.drivers.includes(driverName) && !(driverName === pkg.name && pkg.drivers.length > 0)) {
      throw new DriverNameMismatchError(driverName, pkg.name, nameMismatchMessage({ driverName, packageName: pkg.name, declared: pkg.drivers, exported: [] }));
    }

    let module: Record<string, unknown>;
    try {
      module = (await import(pathToFileURL(packageEntry(pkg)).href)) as Record<string, unknown>;
    } catch (cause) {
      // Found but broken (it threw, or a dependency of its own is missing): never retried here.
      this.log.debug('driver failed to load', { driver: driverName, package: pkg.name, directory: pkg.directory, referencedBy: reference?.what, file: reference?.file, cause });
      throw new DriverLoadError(driverName, pkg.name, driverLoadMessage({ driverName, packageName: pkg.name, directory: pkg.directory, cause }), { cause });
    }
    const exported = module.default ?? module.drivers;
    const candidates: unknown[] = Array.isArray(exported) ? exported : exported === undefined ? [] : [exported];
    const invalid = candidates.length === 0 ? ['default export'] : candidates.flatMap((candidate) => missingMembers(candidate));
    if (invalid.length > 0) {
      throw new InvalidDriverError(driverName, pkg.name, invalid, invalidDriverMessage({ driverName, packageName: pkg.name, missing: invalid }));
    }
    const drivers = candidates as Driver[];
    // A scoped package name picks the package itself, and so its one driver.
    const driver = driverName.startsWith('@') && drivers.length === 1 ? drivers[0] : drivers.find((candidate) => candidate.name === driverName);
    if (!driver) {
      throw new DriverNameMismatchError(
        driverName,
        pkg.name,
        nameMismatchMessage({ driverName, packageName: pkg.name, declared: pkg.drivers, exported: drivers.map((d) => d.name) }),
      );
    }
    this.log.info('loaded driver', { driver: driverName, package: pkg.name, version: pkg.version });
    return driver;
  }
}

function missingMembers(candidate: unknown): string[] {
  if (candidate === null || typeof candidate !== 'object') return ['default export (not an object)'];
  const record = candidate as Record<string, unknown>;
  return DRIVER_MEMBERS.filter((member) => {
    const value = record[member];
    if (member === 'name') return typeof value !== 'string';
    if (member === 'parseConfig') return typeof value !== 'function';
    return value === null || typeof value !== 'object' || typeof (value as { check?: unknown }).check !== 'function';
  });
}
