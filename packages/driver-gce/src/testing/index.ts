/**
 * A fake Compute Engine for tests, trials and benchmarks (`@nodepool/driver-gce/testing`, and
 * `npx nodepool-fake-gce`).
 */
import { controlApiCaller } from '@nodepool/core/testing';
import type { FakeImageSpec } from './catalog.js';
import type { FakeCallCounts, FakeGceSettings, FakeGceSettingsPatch } from './fake-gce.js';
import type { FakeGceBootFailure, FakeGceFault, FakeRuleState } from './fault-rules.js';

export { DEFAULT_IMAGES, DEFAULT_MACHINE_TYPES, DEFAULT_QUOTAS, QUOTA_METRICS, type FakeImageSpec, type FakeMachineType, type FakeQuotaMetric } from './catalog.js';
export { COMPUTE_BASE, type FakeCallCounts, type FakeGceOptions, type FakeGceSettings, type FakeGceSettingsPatch } from './fake-gce.js';
export { FAKE_GCE_AUDIENCE, FAKE_GCE_SUBJECT_TOKEN, fakeGceCredentials } from './fake-gce-server.js';
export { FakeGceUsageError, type FakeCountRule, type FakeGceBootFailure, type FakeGceFault, type FakeRuleState } from './fault-rules.js';
export { startFakeGce, type FakeGceHandle, type StartFakeGceOptions } from './start-fake-gce.js';

/** The control API of a fake GCE in another process (`nodepool-fake-gce`). */
export function fakeGceControl(url: string) {
  const call = controlApiCaller(url, '_fake', 'fake GCE');
  return {
    calls: () => call<FakeCallCounts>('GET', 'calls'),
    resetCalls: () => call<FakeCallCounts>('DELETE', 'calls'),
    callLog: () => call<string[]>('GET', 'calls/log'),
    settings: () => call<FakeGceSettings>('GET', 'settings'),
    configure: (patch: FakeGceSettingsPatch) => call<FakeGceSettings>('POST', 'settings', patch),
    injectFault: (fault: FakeGceFault) => call<FakeRuleState<FakeGceFault>[]>('POST', 'faults', fault),
    failBoots: (failure: FakeGceBootFailure) => call<FakeRuleState<FakeGceBootFailure>[]>('POST', 'boot-failures', failure),
    clearFaults: () => call<void>('DELETE', 'faults'),
    state: () => call<{ instances: Record<string, unknown>[]; operations: Record<string, unknown>[]; images: FakeImageSpec[] }>('GET', 'state'),
    addInstance: (request: { project: string; zone: string; name: string; machineType?: string; metadata?: Record<string, string>; labels?: Record<string, string> }) =>
      call<Record<string, unknown>>('POST', 'instances', request),
    addImage: (image: FakeImageSpec) => call<Record<string, unknown>>('POST', 'images', image),
    credentials: () => call<Record<string, unknown>>('GET', 'credentials.json'),
    reset: () => call<void>('POST', 'reset'),
  };
}
