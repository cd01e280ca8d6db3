import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterContext } from '@nodepool/core';
import { adapterTestContext, instanceListing, providerConfigOf, runStateMachine } from '@nodepool/core/testing';
import azureDriver, { AzureAdapter, type AzureAdapterOptions, type AzureProviderConfig } from '@nodepool/driver-azure';
import { startFakeAzure, type FakeAzureHandle, type FakeAzureTls, type StartFakeAzureOptions } from '@nodepool/driver-azure/testing';

const fixture = (name: string) => new URL(`fixtures/tls/${name}`, import.meta.url);

/** The test CA (trusted through NODE_EXTRA_CA_CERTS by ava.config.js) and its server certificate. */
export const TEST_TLS: FakeAzureTls = {
  caCert: await readFile(fixture('ca.pem'), 'utf8'),
  serverCert: await readFile(fixture('server.pem'), 'utf8'),
  serverKey: await readFile(fixture('server-key.pem'), 'utf8'),
};

export type Fake = FakeAzureHandle & { authPath: string };

/** A fake Azure and its service principal's credentials file (auth-path); stopped when the test ends. */
export async function useFakeAzure(t: { teardown(fn: () => unknown): void }, options: StartFakeAzureOptions = {}): Promise<Fake> {
  const fake = await startFakeAzure({ tls: TEST_TLS, ...options });
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-azure-auth-'));
  const authPath = join(dir, 'azure.json');
  await writeFile(authPath, JSON.stringify(fake.authFile(), null, 2));
  t.teardown(async () => {
    await fake.stop();
    await rm(dir, { recursive: true, force: true });
  });
  return Object.assign(fake, { authPath });
}

export interface AzureYamlOptions {
  /** Provider keys (indented 4). */
  readonly extra?: string;
  /** Pool keys (indented 8). */
  readonly pool?: string;
  /** Keys of the label `small` (indented 12). */
  readonly labelExtra?: string;
  readonly maxServers?: number;
}

/**
 * An `azure` provider named `azure` on the fake (resource group `nodepool-nodes` in eastus, the
 * fake's `nodepool` network): labels `small` (Standard_B2s from an Ubuntu marketplace image,
 * tagged, with dynamic tags and user data) and `tiny` (Standard_B1s from the same image),
 * host keys not scanned.
 */
export function azureYaml(fake: { authPath: string }, options: AzureYamlOptions = {}): string {
  return `labels:
  - name: small
  - name: tiny
providers:
  - name: azure
    driver: azure
    location: eastus
    resource-group: nodepool-nodes
    resource-group-location: eastus
    auth-path: ${fake.authPath}
    network:
      resource-group: nodepool
      network: nodepool
    rate: 1000
    boot-timeout: 20
    launch-retries: 2
${options.extra ?? ''}    cloud-images:
      - name: jammy
        username: zuul
        key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests zuul@example.org
        image-reference:
          publisher: Canonical
          offer: 0001-com-ubuntu-server-jammy
          sku: 22_04-lts-gen2
          version: latest
    pools:
      - name: main
        max-servers: ${options.maxServers ?? 50}
        host-key-checking: false
${options.pool ?? ''}        labels:
          - name: small
            cloud-image: jammy
            hardware-profile:
              vm-size: Standard_B2s
            tags:
              team: ci
            dynamic-tags:
              request: 'for {request.id}'
            user-data: '#cloud-config'
${options.labelExtra ?? ''}          - name: tiny
            cloud-image: jammy
            hardware-profile:
              vm-size: Standard_B1s
`;
}

/** The typed config of `azureYaml`. */
export const azureConfig = (text: string): Promise<AzureProviderConfig> => providerConfigOf<AzureProviderConfig>(text, [azureDriver], 'azure');

export { instanceListing };

/** What the kit hands an adapter: paced limiters (far above anything a test does) and a logger. */
export const adapterContext = (rate = 1000): AdapterContext => adapterTestContext('test.driver-azure', rate);


/** A fake, the provider of `azureYaml` and an adapter for it (operations polled every 10 ms). */
export async function azureSetup(t: { teardown(fn: () => unknown): void }, fakeOptions: StartFakeAzureOptions = {}, options: AzureYamlOptions = {}, adapterOptions: AzureAdapterOptions = {}) {
  const fake = await useFakeAzure(t, fakeOptions);
  const config = await azureConfig(azureYaml(fake, options));
  const adapter = new AzureAdapter(config, adapterContext(), { lroPollMs: 10, ...adapterOptions });
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  return { fake, config, adapter, listing: instanceListing(adapter), label };
}

/** Runs a state machine until it finishes. */
export const runMachine = <T>(machine: { advance(): Promise<T | undefined>; complete: boolean }, maxSteps = 1000): Promise<T> => runStateMachine(machine, { maxSteps, pauseMs: 5 });
