/**
 * Helpers for testing drivers and tools against core (`@nodepool/core/testing`).
 */
export { createFakeDriver, FakeCloud, type FakeProviderConfig } from './fake-driver.js';
export { expectRejected, type ExpectRejectedOptions, type RejectionAssertions } from './expect-rejected.js';
export { validateConfigText } from './validate-config-text.js';
export { compareWithOriginalVerdicts, VERDICT_VALUES, type VerdictDifference } from './original-verdicts.js';
export { fastTimings, launcherCluster, poolPaused, submitRequest, type Cluster, type TeardownContext, type ZooKeeperEndpoint } from './launcher-cluster.js';
export {
  closeServer,
  controlApiCaller,
  FakeCloudUsageError,
  listenOnLoopback,
  runFakeCloudCommand,
  type ControlApiCall,
  type FakeCloudAddress,
  type FakeCloudCommand,
  type RemoteControl,
} from './fake-cloud-server.js';
export {
  checkCountRule,
  checkFaultRule,
  checkRuleKeys,
  countHits,
  CountRules,
  type CountRuleWording,
  type FakeCountRule,
  type FakeFaultBase,
  type FakeRuleState,
  type UsageErrorClass,
} from './count-rules.js';
export { givenOptions, numberFlag, portFlag, readFakeCloudFlags, requiredPortFlag } from './fake-cloud-options.js';
export { adapterTestContext, instanceListing, providerConfigOf, runStateMachine } from './adapter-testing.js';
export { problemsOfDocumentedExamples, yamlExamplesUnder } from './documented-examples.js';
export { settingChecks, type SettingChecks } from './setting-checks.js';
export { isoSeconds, jsonReply, readRequestBody, sendReply, type FakeApiRequest, type FakeHttpReply } from './fake-http.js';
export { answerControl, commonControlRoutes, type ControlledFake, type ControlRoutes } from './control-routes.js';
export { countedFakeMethods, type BootFailingFake, type CountedFakeMethods, type CountedFakeState } from './counted-fake.js';
export { callControl, countedFakeControlCalls, type ControlCalls } from './counted-fake-control.js';
