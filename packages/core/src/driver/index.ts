export type {
  Adapter,
  AdapterContext,
  CreateStateMachineOptions,
  ImageUploadOptions,
  InstanceListing,
  RateLimiter,
  Instance,
  Resource,
  StateMachine,
  StateMachineDriver,
} from './adapter.js';
export { DRIVER_MEMBERS, type ConfigContext, type Driver, type ProviderContext } from './driver.js';
export type { LaunchContext, LaunchProgress, NodeRequestHandler, NodeRequestHandlerNotifications } from './node-request-handler.js';
export type { CloudImage, Provider, ProviderNotifications } from './provider.js';
export { effectivePriority, supportedLabels, type ConfigLabel, type ConfigPool, type ProviderConfig } from './provider-config.js';
export { QuotaInformation } from './quota-information.js';
export type { StateMachineLabel, StateMachinePool, StateMachineProviderConfig } from './state-machine-config.js';
export { formatRequestTemplates, requestAttributes } from './request-templates.js';
