/**
 * `npm run bench -- ibmvpc [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the ibmvpc driver against
 * the fake IBM Cloud (`nodepool-fake-ibmvpc`, its own process; IAM tokens from its token service
 * through the provider's credentials-file) and a real (TLS) ZooKeeper, loaded by Zuul-like
 * clients. Each node gets a floating IP (`public-ipv4`), as most IBM VPC pools do. Per scenario:
 * requests fulfilled per second, request-to-fulfilled latency p50/p90/p99, IBM Cloud API calls
 * per launched node (from the fake's counters, by call), ZooKeeper writes per request, launcher
 * CPU per request and peak RSS (testkit's `runLauncherBench`).
 *
 * The provider's `rate` is 100 calls/s (BENCH_RATE to change it) so that the figures are the
 * launcher's, not a budget's (the original's default is 1). BENCH_LOG_DIR keeps each process's
 * output.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fakeIbmVpcControl } from '@nodepool/driver-ibmvpc/testing';
import { bootDelayScenarios, cloudBenchBins, runLauncherBench, startFakeCloudProcess, stopProcess } from '@nodepool/testkit';

const { launcherBin, fakeBin } = cloudBenchBins(import.meta.url, 'nodepool-fake-ibmvpc');
const scenarios = bootDelayScenarios('instances');

function providersYaml(credentialsFile: string): string {
  return `providers:
  - name: ibmvpc
    driver: ibmvpc
    credentials-file: ${credentialsFile}
    vpc: nodepool
    region: us-south
    subnet: sn-nodepool
    rate: ${process.env.BENCH_RATE ?? 100}
    cloud-images:
      - name: ubuntu
        username: ubuntu
        keys: [zuul]
        image-name: ibm-ubuntu-22-04-4-minimal-amd64-3
    pools:
      - name: main
        zone: us-south-1
        max-servers: 100000
        host-key-checking: false
        public-ipv4: true
        labels:
          - name: small
            cloud-image: ubuntu
            profile: cx2-2x4
`;
}

await runLauncherBench({
  name: 'ibmvpc',
  launcherBin,
  callsLabel: 'IBM Cloud API calls',
  labels: ['small'],
  scenarios,
  async startCloud(scenario, { dir, logDir }) {
    const fake = await startFakeCloudProcess({ name: 'fake-ibmvpc', fakeBin, scenario, logDir });
    const url = fake.url;
    const control = fakeIbmVpcControl(url);
    const credentials = join(dir, 'ibm-credentials.env');
    await writeFile(credentials, await control.credentialsFile());
    return {
      providersYaml: providersYaml(credentials),
      calls: () => control.calls(),
      resetCalls: () => control.resetCalls(),
      stop: () => stopProcess(fake.child),
    };
  },
});
