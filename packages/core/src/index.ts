export * from './config/index.js';
export * from './discovery/index.js';
export * from './driver/index.js';
export * from './errors.js';
export { loadSettings, type Settings } from './settings.js';
export { configureLogging, getLogger, rootLogger, type Logger } from './log.js';
export * from './zk/index.js';
