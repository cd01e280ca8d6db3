export { DashboardFeed, type DashboardFeedOptions } from './dashboard-feed.js';
export { addRequestWaitHistogram, createMetricsRegistry, REQUEST_WAIT_BUCKETS, REQUEST_WAIT_METRIC, type MetricsInputs } from './metrics.js';
export { PROVIDER_HEALTH_PATH, renderProviderHealthJson, renderProviderHealthText } from './provider-health-listing.js';
export { HISTORY_PATH, renderHistoryJson, renderHistoryText } from './history-listing.js';
export { responseFormat, type ResponseFormat } from './response-format.js';
export { DASHBOARD_EVENTS_PATH, WebApp, type WebAppOptions } from './web-app.js';
