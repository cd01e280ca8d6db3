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
import { fileURLToPath } from 'node:url';
import { runLauncherBench, startLoggedProcess, stopProcess, type LauncherBenchScenario } from '@nodepool/testkit';

const here = fileURLToPath(new URL('.', import.meta.url));
// Built code, as deployed (scripts/bench.sh builds first).
const launcherBin = join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js');
const fakeBin = join(here, '..', 'dist', 'bin', 'nodepool-fake-azure.js');

interface Scenario extends LauncherBenchScenario {
  /** How long VMs stay `Creating` in the fake. */
  readonly bootDelayMs?: number;
}

const scenarios: Scenario[] = [
  { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
  { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
  { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
  { name: '1-node, concurrency 50, VMs boot in 2 s', labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
];

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
    const args = ['--port', '0', '--dir', dir, '--boot-delay-ms', String(scenario.bootDelayMs ?? 0), '--quota', 'cores=100000000', '--quota', 'virtualMachines=100000000'];
    const fake = await startLoggedProcess({ name: 'fake-azure', script: fakeBin, args, ready: /listening on https:\/\/\S+/, logDir });
    const url = /(https:\/\/\S+)/.exec(fake.line)![1]!;
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
