/**
 * `npm run bench -- openstack [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the openstack driver
 * against the fake OpenStack (`nodepool-fake-openstack`, its own process, over HTTP) and a real
 * (TLS) ZooKeeper, loaded by Zuul-like clients. Per scenario: requests fulfilled per second,
 * request-to-fulfilled latency p50/p90/p99, OpenStack API calls per launched node (from the
 * fake's counters, by call, named as openstacksdk names them), ZooKeeper writes per request,
 * launcher CPU per request and peak RSS (testkit's `runLauncherBench`).
 *
 * The provider's `rate` is 0.01 s (100 mutating calls/s) so that the figures are the launcher's,
 * not a budget's (the original's default is 1 s). BENCH_LOG_DIR keeps each process's output.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fakeCloudsYaml, fakeOpenStackControl } from '@nodepool/driver-openstack/testing';
import { runLauncherBench, startLoggedProcess, stopProcess, type LauncherBenchScenario } from '@nodepool/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-openstack.js');

interface Scenario extends LauncherBenchScenario {
  /** How long servers stay `BUILD` in the fake. */
  readonly bootDelayMs?: number;
  /** The pool attaches floating IPs (the fake's servers are on a tenant network). */
  readonly floatingIps?: boolean;
}

const scenarios: Scenario[] = [
  { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
  { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
  { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
  { name: '1-node, concurrency 50, floating IPs', labels: ['small'], concurrency: 50, requests: 500, floatingIps: true },
  { name: '1-node, concurrency 50, servers boot in 2 s', labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
];

function providersYaml(scenario: Scenario): string {
  return `providers:
  - name: openstack
    driver: openstack
    cloud: fake
    region-name: RegionOne
    rate: 0.01
    cloud-images:
      - name: cirros
        image-name: cirros-0.6.2-x86_64-disk
        username: cirros
    pools:
      - name: main
        max-servers: 100000
        host-key-checking: false
        auto-floating-ip: ${scenario.floatingIps ? 'true' : 'false'}
        networks:
          - private
        labels:
          - name: small
            cloud-image: cirros
            min-ram: 1024
            key-name: zuul
`;
}

await runLauncherBench({
  name: 'openstack',
  launcherBin,
  callsLabel: 'OpenStack API calls',
  labels: ['small'],
  scenarios,
  async startCloud(scenario, { dir, logDir }) {
    // Generous quotas: the benchmark measures launching, not waiting for room.
    const args = ['--port', '0', '--boot-delay-ms', String(scenario.bootDelayMs ?? 0)];
    for (const quota of ['instances', 'cores', 'ram', 'floatingips', 'ports']) args.push('--quota', `${quota}=-1`);
    const fake = await startLoggedProcess({ name: 'fake-openstack', script: fakeBin, args, ready: /listening on https?:\/\/\S+/, logDir });
    const url = /(https?:\/\/\S+)/.exec(fake.line)![1]!;
    const control = fakeOpenStackControl(url);
    const clouds = join(dir, 'clouds.yaml');
    await writeFile(clouds, fakeCloudsYaml('fake', url));
    return {
      providersYaml: providersYaml(scenario),
      env: { OS_CLIENT_CONFIG_FILE: clouds },
      calls: () => control.calls(),
      resetCalls: () => control.resetCalls(),
      stop: () => stopProcess(fake.child),
    };
  },
});
