/**
 * `npm run bench -- gce [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the gce driver against
 * the fake Compute Engine (`nodepool-fake-gce`, its own process, @google-cloud/compute's REST
 * transport over HTTP, tokens from the fake's token endpoint through
 * GOOGLE_APPLICATION_CREDENTIALS) and a real (TLS) ZooKeeper, loaded by Zuul-like clients. Per
 * scenario: requests fulfilled per second, request-to-fulfilled latency p50/p90/p99, Compute API
 * calls per launched node (from the fake's counters, by call), ZooKeeper writes per request,
 * launcher CPU per request and peak RSS (testkit's `runLauncherBench`).
 *
 * The provider's `rate` is 100 calls/s so that the figures are the launcher's, not a budget's
 * (the original's default is 2). BENCH_LOG_DIR keeps each process's output.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fakeGceControl } from '@nodepool/driver-gce/testing';
import { runLauncherBench, startLoggedProcess, stopProcess, type LauncherBenchScenario } from '@nodepool/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-gce.js');

interface Scenario extends LauncherBenchScenario {
  /** How long instances stay PROVISIONING in the fake. */
  readonly bootDelayMs?: number;
}

const scenarios: Scenario[] = [
  { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
  { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
  { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
  { name: '1-node, concurrency 50, instances boot in 2 s', labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
];

function providersYaml(endpoint: string): string {
  return `providers:
  - name: gce
    driver: gce
    project: nodepool-bench
    region: us-central1
    zone: us-central1-a
    endpoint-url: ${endpoint}
    rate: 100
    cloud-images:
      - name: debian
        image-project: debian-cloud
        image-family: debian-12
        username: zuul
    pools:
      - name: main
        max-servers: 100000
        host-key-checking: false
        labels:
          - name: small
            cloud-image: debian
            instance-type: e2-small
`;
}

await runLauncherBench({
  name: 'gce',
  launcherBin,
  callsLabel: 'Compute API calls',
  labels: ['small'],
  scenarios,
  async startCloud(scenario, { dir, logDir }) {
    // Generous quotas: the benchmark measures launching, not waiting for room.
    const args = ['--port', '0', '--boot-delay-ms', String(scenario.bootDelayMs ?? 0)];
    for (const quota of ['CPUS', 'INSTANCES', 'DISKS_TOTAL_GB', 'IN_USE_ADDRESSES']) args.push('--quota', `${quota}=100000000`);
    const fake = await startLoggedProcess({ name: 'fake-gce', script: fakeBin, args, ready: /listening on https?:\/\/\S+/, logDir });
    const url = /(https?:\/\/\S+)/.exec(fake.line)![1]!;
    const control = fakeGceControl(url);
    const credentials = join(dir, 'gce-credentials.json');
    await writeFile(credentials, JSON.stringify(await control.credentials()));
    return {
      providersYaml: providersYaml(url),
      env: { GOOGLE_APPLICATION_CREDENTIALS: credentials },
      calls: () => control.calls(),
      resetCalls: () => control.resetCalls(),
      stop: () => stopProcess(fake.child),
    };
  },
});
