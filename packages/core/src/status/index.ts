export { alienImageList, ALIEN_IMAGE_LIST_COLUMNS, type AlienImageProvider } from './alien-image-list.js';
export { readBuildRequest } from './build-request.js';
export { CachedStatusSource } from './cached-status-source.js';
export {
  dashboardStatus,
  DASHBOARD_COLLECTIONS,
  type DashboardCollection,
  type DashboardNode,
  type DashboardRequest,
  type DashboardStatus,
  type DashboardSummary,
} from './dashboard-status.js';
export { dibImageList, DIB_IMAGE_LIST_COLUMNS } from './dib-image-list.js';
export { formatAge } from './format-age.js';
export { imageList, IMAGE_LIST_COLUMNS } from './image-list.js';
export { imageStatus, IMAGE_STATUS_COLUMNS } from './image-status.js';
export { labelList, LABEL_LIST_COLUMNS } from './label-list.js';
export { launcherList, LAUNCHER_LIST_COLUMNS } from './launcher-list.js';
export { nodeList, NODE_LIST_COLUMNS, NODE_LIST_SUMMARY_FIELDS, type NodeListOptions } from './node-list.js';
export { renderPrettyTable } from './pretty-table.js';
export { poolList, poolNameOf, POOL_LIST_COLUMNS } from './pool-list.js';
export { providerInfo, PROVIDER_IMAGES_COLUMNS, PROVIDER_NODES_COLUMNS, type ProviderInfo } from './provider-info.js';
export { pythonJsonDumps, pythonRepr, pythonStr } from './python-format.js';
export { pythonFormat, PythonFormatError } from './python-str-format.js';
export { renderStatusJson, renderStatusText, type RenderTextOptions } from './render.js';
export { requestList, REQUEST_LIST_COLUMNS } from './request-list.js';
export { selectColumns, type StatusColumn, type StatusListing, type StatusRow } from './status-listing.js';
export type { BuildRequestInfo, StatusSource } from './status-source.js';
export { ZooKeeperStatusSource } from './zookeeper-status-source.js';
