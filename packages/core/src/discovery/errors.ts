import { NodepoolError } from '../errors.js';

/** Who asked for a driver: shown in messages. */
export interface DriverReference {
  /** e.g. `providers[2] (name: gce-east)` */
  what: string;
  /** The configuration file, if any. */
  file?: string;
}

/** No installed package provides the driver. */
export class DriverNotFoundError extends NodepoolError {
  constructor(
    readonly driverName: string,
    /** Package names tried, in order. */
    readonly tried: readonly string[],
    message: string,
    /** Where packages were looked for, and the command that installs the one wanted. */
    readonly details: { readonly searchedFrom: readonly string[]; readonly installCommand: string } = { searchedFrom: [], installCommand: '' },
  ) {
    super(message);
  }
}

/** A package was found but could not be loaded (it threw, or one of its dependencies is missing). */
export class DriverLoadError extends NodepoolError {
  constructor(
    readonly driverName: string,
    readonly packageName: string,
    message: string,
    options: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** A package loaded but what it exports is not a driver. */
export class InvalidDriverError extends NodepoolError {
  constructor(
    readonly driverName: string,
    readonly packageName: string,
    /** Members that are missing or of the wrong kind. */
    readonly missing: readonly string[],
    message: string,
  ) {
    super(message);
  }
}

/** A package declares a driver name that none of its exported drivers has (or the reverse). */
export class DriverNameMismatchError extends NodepoolError {
  constructor(
    readonly driverName: string,
    readonly packageName: string,
    message: string,
  ) {
    super(message);
  }
}
