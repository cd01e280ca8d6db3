export * from './config/index.js';
export * from './discovery/index.js';
export * from './driver/index.js';
export * from './errors.js';
export * from './launcher/index.js';
export * from './stats/index.js';
export { loadSettings, type Settings } from './settings.js';
export { configureLogging, getLogger, lineFormat, rootLogger, type Logger } from './log.js';
export * from './zk/index.js';
