export { DashboardFeed, type DashboardFeedOptions } from './dashboard-feed.js';
export { createMetricsRegistry, type MetricsInputs } from './metrics.js';
export { responseFormat, type ResponseFormat } from './response-format.js';
export { DASHBOARD_EVENTS_PATH, WebApp, type WebAppOptions } from './web-app.js';
