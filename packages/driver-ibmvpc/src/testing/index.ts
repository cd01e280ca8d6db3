/**
 * A fake IBM Cloud for the ibmvpc driver's tests, trials and benchmarks
 * (`@nodepool/driver-ibmvpc/testing`): IAM's token service, the VPC API (`/v1`, with `version`
 * and `generation`), the Resource Manager and Controller, and Cloud Object Storage (S3) on
 * loopback, state in memory, faults injected by count. Write `fake.credentialsFile()` to a file
 * and name it in the provider's `credentials-file`.
 */
export { startFakeIbmVpc, type FakeIbmVpcHandle, type StartFakeIbmVpcOptions } from './start-fake-ibmvpc.js';
export { fakeIbmVpcControl, type FakeIbmVpcControl } from './fake-ibmvpc-control.js';
export { fakeCredentialsFile } from './credentials-file.js';
export { FAKE_IBM_API_KEY, OPERATING_SYSTEMS, type FakeIbmVpcOptions } from './fake-ibmvpc.js';
export { DEFAULT_PROFILES, DEFAULT_SETTINGS, type FakeIbmVpcSettings, type FakeIbmVpcSettingsPatch, type FakeProfile } from './fake-ibmvpc-settings.js';
export type { FakeBootFailure, FakeCountRule, FakeFault, FakeRuleState } from './fault-rules.js';
export type {
  AddFloatingIpRequest,
  AddImageRequest,
  AddInstanceRequest,
  FakeCallCounts,
  FakeFloatingIp,
  FakeIbmVpcState,
  FakeImage,
  FakeInstance,
  FakeKey,
  FakeOperatingSystem,
  FakeResourceGroup,
  FakeServiceInstance,
  FakeSubnet,
  FakeVpc,
} from './fake-types.js';
