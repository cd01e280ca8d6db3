import type { StateMachineDriver } from '../driver/adapter.js';
import type { Driver, ProviderContext } from '../driver/driver.js';
import type { Provider } from '../driver/provider.js';
import type { ProviderConfig } from '../driver/provider-config.js';
import type { StateMachineProviderConfig } from '../driver/state-machine-config.js';
import { StateMachineProvider } from '../statemachine/state-machine-provider.js';
import type { LauncherTimings } from './timings.js';

/**
 * The runtime provider of a config, as the launcher builds it: the driver's own
 * (`createProvider`), else core's state-machine provider around its adapter; undefined when the
 * driver has no runtime. Nothing is started. Used by tools that act on one provider outside a
 * launcher (`nodepool delete --now`, `nodepool alien-image-list`).
 */
export function createProvider(
  config: ProviderConfig,
  driver: Driver & Partial<Pick<StateMachineDriver, 'createAdapter'>>,
  context: ProviderContext,
  timings: Pick<LauncherTimings, 'listingIntervalMs' | 'quotaCacheMs'>,
): Provider | undefined {
  if (driver.createProvider) return driver.createProvider(config, context);
  if (driver.createAdapter) {
    return new StateMachineProvider(config as StateMachineProviderConfig, driver as StateMachineDriver<StateMachineProviderConfig>, { ...context, timings });
  }
  return undefined;
}
