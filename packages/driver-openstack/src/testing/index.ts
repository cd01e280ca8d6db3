/**
 * A fake OpenStack for the openstack driver's tests, trials and benchmarks
 * (`@nodepool/driver-openstack/testing`): one HTTP server speaking Keystone v3, Nova, Neutron,
 * Glance v2 and Cinder v3 as openstacksdk and the driver use them (JSON, microversions, tokens,
 * the service catalog), state in memory, with quotas, and faults injected by count (so tests do
 * not depend on the machine's speed). Write `fake.cloudsYaml()` to a clouds.yaml and point any
 * OpenStack client at it.
 */
export { startFakeOpenStack, type FakeOpenStackHandle } from './start-fake-openstack.js';
export { fakeOpenStackControl, type FakeOpenStackControl } from './fake-openstack-control.js';
export type { FakeOpenStackOptions } from './fake-openstack.js';
export { fakeCloudEntry, fakeCloudsYaml, type FakeCloudAuth } from './clouds-yaml.js';
export { FAKE_OPENSTACK_CREDENTIALS, FAKE_PROJECT_ID } from './identity.js';
export { DEFAULT_FLAVORS, DEFAULT_SETTINGS, type FakeFlavor, type FakeOpenStackSettings, type FakeOpenStackSettingsPatch, type FakeQuotas } from './fake-openstack-settings.js';
export type { FakeBootFailure, FakeCountRule, FakeFault, FakeRuleState } from './fault-rules.js';
export type {
  AddFloatingIpRequest,
  AddImageRequest,
  AddKeypairRequest,
  AddPortRequest,
  AddServerRequest,
  AddVolumeRequest,
  FakeCallCounts,
  FakeFloatingIp,
  FakeImage,
  FakeImageStatus,
  FakeKeypair,
  FakeNetwork,
  FakeOpenStackState,
  FakePort,
  FakePortStatus,
  FakeRouter,
  FakeSecurityGroup,
  FakeServer,
  FakeServerStatus,
  FakeSubnet,
  FakeVolume,
  FakeVolumeStatus,
} from './fake-openstack-types.js';
