/**
 * A fake Azure for tests, trials and benchmarks (`@nodepool/driver-azure/testing`, and
 * `npx nodepool-fake-azure`).
 */
import { controlApiCaller } from '@nodepool/core/testing';
import type { FakeAzureSettings, FakeAzureSettingsPatch } from './fake-azure.js';
import type { FakeAzureBootFailure, FakeAzureFault, FakeRuleState } from './fault-rules.js';

export { DEFAULT_MARKETPLACE_IMAGES, DEFAULT_QUOTAS, DEFAULT_VM_SIZES, type FakeAzureQuotas, type FakeMarketplaceImage, type FakeVmSize } from './catalog.js';
export type { FakeAzureIdentity, FakeAzureSettings, FakeAzureSettingsPatch } from './fake-azure.js';
export { FakeAzureUsageError, type FakeAzureBootFailure, type FakeAzureFault, type FakeCountRule, type FakeRuleState } from './fault-rules.js';
export { startFakeAzure, type FakeAzureHandle, type StartFakeAzureOptions } from './start-fake-azure.js';
export { makeFakeAzureTls, type FakeAzureTls } from './tls-material.js';

/** The control API of a fake Azure in another process (`nodepool-fake-azure`). */
export function fakeAzureControl(url: string) {
  const call = controlApiCaller(url, '_fake', 'fake Azure');
  return {
    calls: () => call<Record<string, number>>('GET', 'calls'),
    resetCalls: () => call<Record<string, number>>('DELETE', 'calls'),
    callLog: () => call<string[]>('GET', 'calls/log'),
    settings: () => call<FakeAzureSettings>('GET', 'settings'),
    configure: (patch: FakeAzureSettingsPatch) => call<FakeAzureSettings>('POST', 'settings', patch),
    injectFault: (fault: FakeAzureFault) => call<FakeRuleState<FakeAzureFault>[]>('POST', 'faults', fault),
    failBoots: (failure: FakeAzureBootFailure) => call<FakeRuleState<FakeAzureBootFailure>[]>('POST', 'boot-failures', failure),
    clearFaults: () => call<void>('DELETE', 'faults'),
    state: () => call<Record<string, unknown>[]>('GET', 'state'),
    authFile: () => call<Record<string, unknown>>('GET', 'auth.json'),
    reset: () => call<void>('POST', 'reset'),
  };
}
