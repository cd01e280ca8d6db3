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
import { fileURLToPath } from 'node:url';
import { fakeIbmVpcControl } from '@nodepool/driver-ibmvpc/testing';
import { runLauncherBench, startLoggedProcess, stopProcess, type LauncherBenchScenario } from '@nodepool/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-ibmvpc.js');

interface Scenario extends LauncherBenchScenario {
  /** How long instances stay pending in the fake. */
  readonly bootDelayMs?: number;
}

const scenarios: Scenario[] = [
  { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
  { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
  { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
  { name: '1-node, concurrency 50, instances boot in 2 s', labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
];

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
    const args = ['--port', '0', '--boot-delay-ms', String(scenario.bootDelayMs ?? 0)];
    const fake = await startLoggedProcess({ name: 'fake-ibmvpc', script: fakeBin, args, ready: /listening on https?:\/\/\S+/, logDir });
    const url = /listening on (https?:\/\/\S+)/.exec(fake.line)![1]!;
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
