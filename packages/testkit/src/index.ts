export { ensureDebianPackage } from './ensure-debian-package.js';
export { ensureZooKeeperInstalled } from './ensure-zookeeper-installed.js';
export { KazooPeer, ensureKazooInstalled, type KazooLockReply } from './kazoo-peer.js';
export { findFreePort, findFreePorts, findPortOutsideEphemeralRange } from './find-free-ports.js';
export { fourLetterWord, type FourLetterWordOptions } from './four-letter-word.js';
export { isProcessAlive } from './is-process-alive.js';
export type { LocalZooKeeper, ZooKeeperMode } from './local-zookeeper.js';
export type { ProcessExit } from './spawn-watched.js';
export {
  startZooKeeperEnsemble,
  type LocalEnsemble,
  type StartZooKeeperEnsembleOptions,
} from './start-zookeeper-ensemble.js';
export { startZooKeeper, type StartZooKeeperOptions } from './start-zookeeper.js';
export type { ZooKeeperJvm } from './java-command.js';
export {
  SshServerStartError,
  startSshServer,
  useSshServer,
  type LocalSshServer,
  type StartSshServerOptions,
} from './ssh-server.js';
export type { LocalZooKeeperTls, PemCredentials } from './tls-material.js';
export { useZooKeeper, useZooKeeperEnsemble, type TestHooks } from './use-zookeeper.js';
export { waitFor, type WaitForOptions } from './wait-for.js';
export { ZooKeeperStartError } from './zookeeper-start-error.js';
export { TcpProxy } from './tcp-proxy.js';
export {
  ScriptedLauncher,
  type ScriptedDecision,
  type ScriptedLauncherEvents,
  type ScriptedLauncherOptions,
  type ScriptedOutcome,
  type ScriptedRequest,
} from './scripted-launcher.js';
// The Zuul-like client has its own package (the CLI uses it); re-exported for tests and benchmarks.
export * from '@nodepool/zuul-client';
export { chrootClient, currentZxid, latencyPercentiles, percentile, processStats, runJobs, startLoggedProcess, stopProcess, type LoggedProcessOptions } from './bench-tools.js';
export { benchLogDir, printLauncherBenchResult, runLauncherBench, type BenchCloud, type BenchCloudContext, type LauncherBenchOptions, type LauncherBenchResult, type LauncherBenchScenario } from './launcher-bench.js';
export { cloudLauncherScenario, type CloudLauncherScenario, type KilledMidLaunchOptions, type NodeListing, type ScenarioCluster, type StartedScenario } from './cloud-launcher-scenario.js';
export {
  bootAtOnce,
  callCount,
  countingStats,
  expectAbortedAtQuota,
  expectHeldAtQuota,
  expectJobsSucceed,
  expectListedOncePerInterval,
  expectQuotaHoldsThird,
  expectRetriedThenFailed,
  expectSecondSighting,
  expectServed,
  finishJob,
  fulfil,
  returnAndWaitDeleted,
  type BootFailureOptions,
  type CountedCalls,
  type NodeLookup,
  type PoolPaused,
  type QuotaHoldOptions,
  type QuotaRefusalOptions,
  type RequestLookup,
  type ScenarioAssertions,
} from './cloud-launcher-steps.js';
export { bootDelayScenarios, cloudBenchBins, startFakeCloudProcess, type BootDelayScenario } from './cloud-bench-opening.js';
