export { createStats, noStats, normaliseStatName, type Stats } from './stats.js';
export { countNodes, nodeCountGauges, providerMaxServers, type NodeCounts } from './node-counts.js';
