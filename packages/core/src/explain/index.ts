export { EXPLAIN_CODES, phaseOf, type ExplainCode, type ExplainPhase } from './explain-codes.js';
export { ExplainBoard, type DecidingPool, type ExplainBoardEvents, type ExplainBoardOptions } from './explain-board.js';
export { formatExplanation, formatProviderHealth } from './format-explanation.js';
export { LAUNCHER_REPORTS_PATH, parseLauncherReport, type LauncherReport } from './launcher-report.js';
export {
  DEFAULT_REPORT_INTERVAL_MS,
  DEFAULT_REPORT_MAX_BYTES,
  LauncherReportPublisher,
  type LauncherReportPublisherOptions,
} from './launcher-report-publisher.js';
export { declineCode, PoolExplainer } from './pool-explainer.js';
export { poolLimitWords, quotaFigures } from './quota-figures.js';
export type { DecisionChange, PoolDecision } from './request-decision.js';
export {
  explainRequest,
  readLauncherReports,
  zooKeeperExplainSource,
  type ExplainSource,
  type PoolExplanation,
  type RequestExplanation,
} from './request-explanation.js';
