export { createStats, noStats, normaliseStatName, type Stats } from './stats.js';
