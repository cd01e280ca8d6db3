export { configureLogging, getLogger, rootLogger, type Logger } from './log.js';
export * from './zk/index.js';
