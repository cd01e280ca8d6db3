export { createMetricsRegistry, type MetricsInputs } from './metrics.js';
export { responseFormat, type ResponseFormat } from './response-format.js';
export { WebApp, type WebAppOptions } from './web-app.js';
