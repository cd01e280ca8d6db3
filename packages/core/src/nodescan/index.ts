export { HostUnreachableError, scanHostKeys, waitForPort, type ScanOptions } from './host-scan.js';
