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
import { fakeGceControl } from '@nodepool/driver-gce/testing';
import { bootDelayScenarios, cloudBenchBins, runLauncherBench, startFakeCloudProcess, stopProcess } from '@nodepool/testkit';

const { launcherBin, fakeBin } = cloudBenchBins(import.meta.url, 'nodepool-fake-gce');
const scenarios = bootDelayScenarios('instances');

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
    const args = ['CPUS', 'INSTANCES', 'DISKS_TOTAL_GB', 'IN_USE_ADDRESSES'].flatMap((quota) => ['--quota', `${quota}=100000000`]);
    const fake = await startFakeCloudProcess({ name: 'fake-gce', fakeBin, scenario, logDir, args });
    const url = fake.url;
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
