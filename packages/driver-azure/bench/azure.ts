/**
 * `npm run bench -- azure [--json] [--only NAME] [--requests N] [--plain]`
 *
 * The built `nodepool-launcher` (default settings, log level info) with the azure driver against
 * the fake Azure (`nodepool-fake-azure`, its own process, over HTTPS with a CA of its own that
 * the launcher trusts through NODE_EXTRA_CA_CERTS; the SDK's credential from the fake's
 * `azure.json`) and a real (TLS) ZooKeeper, loaded by Zuul-like clients. Per scenario: requests
 * fulfilled per second, request-to-fulfilled latency p50/p90/p99, Azure API calls per launched
 * node (from the fake's counters, by call: ARM operations, their async-operation polls, tokens),
 * ZooKeeper writes per request, launcher CPU per request and peak RSS (testkit's
 * `runLauncherBench`).
 *
 * The provider's `rate` is 100 calls/s so that the figures are the launcher's, not a budget's
 * (the original's default is 1). BENCH_LOG_DIR keeps each process's output.
 */
import { readFile } from 'node:fs/promises';
import { request } from 'node:https';
import { join } from 'node:path';
import { bootDelayScenarios, cloudBenchBins, runLauncherBench, startFakeCloudProcess, stopProcess } from '@nodepool/testkit';

const { launcherBin, fakeBin } = cloudBenchBins(import.meta.url, 'nodepool-fake-azure');
const scenarios = bootDelayScenarios('VMs');

function providersYaml(authPath: string): string {
  return `providers:
  - name: azure
    driver: azure
    location: eastus
    resource-group: nodepool-bench
    resource-group-location: eastus
    auth-path: ${authPath}
    network:
      resource-group: nodepool
      network: nodepool
    rate: 100
    cloud-images:
      - name: jammy
        username: zuul
        key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForBenchmarks zuul@example.org
        image-reference:
          publisher: Canonical
          offer: 0001-com-ubuntu-server-jammy
          sku: 22_04-lts-gen2
          version: latest
    pools:
      - name: main
        max-servers: 100000
        host-key-checking: false
        labels:
          - name: small
            cloud-image: jammy
            hardware-profile:
              vm-size: Standard_B2s
`;
}

/**
 * The fake's control API over HTTPS, trusting its CA (this process started before the CA
 * existed, so NODE_EXTRA_CA_CERTS cannot name it).
 */
function control(url: string, ca: string) {
  const call = (method: string, path: string) =>
    new Promise<Record<string, number>>((resolve, reject) => {
      const req = request(`${url}/_fake/${path}`, { method, ca }, (response) => {
        let text = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (text += chunk));
        response.on('end', () => {
          if ((response.statusCode ?? 0) >= 400) reject(new Error(`fake Azure ${method} /_fake/${path}: HTTP ${response.statusCode}: ${text}`));
          else resolve(text === '' ? {} : (JSON.parse(text) as Record<string, number>));
        });
      });
      req.on('error', reject);
      req.end();
    });
  return { calls: () => call('GET', 'calls'), resetCalls: () => call('DELETE', 'calls') };
}

await runLauncherBench({
  name: 'azure',
  launcherBin,
  callsLabel: 'Azure API calls',
  labels: ['small'],
  scenarios,
  async startCloud(scenario, { dir, logDir }) {
    // Generous quotas: the benchmark measures launching, not waiting for room.
    const args = ['--dir', dir, '--quota', 'cores=100000000', '--quota', 'virtualMachines=100000000'];
    const fake = await startFakeCloudProcess({ name: 'fake-azure', fakeBin, scenario, logDir, args });
    const url = fake.url;
    const caFile = join(dir, 'ca.pem');
    const api = control(url, await readFile(caFile, 'utf8'));
    return {
      providersYaml: providersYaml(join(dir, 'azure.json')),
      env: { NODE_EXTRA_CA_CERTS: caFile },
      calls: api.calls,
      resetCalls: api.resetCalls,
      stop: () => stopProcess(fake.child),
    };
  },
});
