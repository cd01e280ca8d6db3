export { DriverRegistry, type DriverResolver } from './driver-registry.js';
export { driverPackageCandidates, driverShorthand } from './driver-package-candidates.js';
export { DriverLoadError, DriverNameMismatchError, DriverNotFoundError, InvalidDriverError, type DriverReference } from './errors.js';
