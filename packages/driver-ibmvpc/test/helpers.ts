import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterContext } from '@nodepool/core';
import { adapterTestContext, instanceListing, providerConfigOf, runStateMachine } from '@nodepool/core/testing';
import ibmVpcDriver, { IbmVpcAdapter, type IbmVpcAdapterOptions, type IbmVpcProviderConfig } from '@nodepool/driver-ibmvpc';
import { startFakeIbmVpc, type FakeIbmVpcHandle, type StartFakeIbmVpcOptions } from '@nodepool/driver-ibmvpc/testing';

const credentialsDir = mkdtempSync(join(tmpdir(), 'nodepool-ibmvpc-credentials-'));

/** A fake IBM Cloud with a credentials file of its own; stopped when the test ends. */
export async function useFakeIbmVpc(t: { teardown(fn: () => unknown): void }, options: StartFakeIbmVpcOptions = {}): Promise<FakeIbmVpcHandle & { credentials: string }> {
  const fake = await startFakeIbmVpc(options);
  const credentials = join(credentialsDir, `fake-${fake.port}.env`);
  writeFileSync(credentials, fake.credentialsFile());
  t.teardown(() => fake.stop());
  return Object.assign(fake, { credentials });
}

export interface IbmVpcYamlOptions {
  /** Provider keys (indented 4). */
  readonly extra?: string;
  /** Pool keys (indented 8). */
  readonly pool?: string;
  /** Keys of the label `small` (indented 12). */
  readonly labelExtra?: string;
  readonly maxServers?: number;
}

/**
 * An `ibmvpc` provider named `ibmvpc` on the fake: labels `small` (cloud image `ubuntu` by
 * name, profile cx2-2x4, key `zuul`, a floating IP), `filtered` (the newest Debian by
 * `image-filter`, bx2-4x16) and `custom` (the `base` diskimage), host keys not scanned.
 */
export function ibmvpcYaml(fake: { url: string; cosUrl: string; credentials: string }, options: IbmVpcYamlOptions = {}): string {
  return `labels:
  - name: small
  - name: filtered
  - name: custom
diskimages:
  - name: base
providers:
  - name: ibmvpc
    driver: ibmvpc
    credentials-file: ${fake.credentials}
    vpc: nodepool
    region: us-south
    subnet: sn-nodepool
    rate: 1000
    boot-timeout: 20
    launch-retries: 2
    object-storage:
      instance-name: Cloud Object Storage-r6
      endpoint: ${fake.cosUrl}
      bucket-name: nodepool-images
${options.extra ?? ''}    cloud-images:
      - name: ubuntu
        username: ubuntu
        keys: [zuul]
        image-name: ibm-ubuntu-22-04-4-minimal-amd64-3
      - name: debian
        username: debian
        image-filter:
          operating-system:
            family: Debian GNU/Linux
          owner-type: provider
    diskimages:
      - name: base
        operating-system: debian-12-amd64
    pools:
      - name: main
        zone: us-south-1
        max-servers: ${options.maxServers ?? 50}
        host-key-checking: false
        public-ipv4: true
${options.pool ?? ''}        labels:
          - name: small
            cloud-image: ubuntu
            profile: cx2-2x4
            user-data: '#cloud-config'
${options.labelExtra ?? ''}          - name: filtered
            cloud-image: debian
            profile: bx2-4x16
          - name: custom
            diskimage: base
            profile: cx2-2x4
`;
}

/** The typed config of `ibmvpcYaml`. */
export const ibmvpcConfig = (text: string): Promise<IbmVpcProviderConfig> => providerConfigOf<IbmVpcProviderConfig>(text, [ibmVpcDriver], 'ibmvpc');

export { instanceListing };

/** What the kit hands an adapter: paced limiters (far above anything a test does) and a logger. */
export const adapterContext = (rate = 1000): AdapterContext => adapterTestContext('test.driver-ibmvpc', rate);


/** A fake, the provider of `ibmvpcYaml` and an adapter for it. */
export async function ibmvpcSetup(t: { teardown(fn: () => unknown): void }, fakeOptions: StartFakeIbmVpcOptions = {}, options: IbmVpcYamlOptions = {}, adapterOptions: IbmVpcAdapterOptions = {}) {
  const fake = await useFakeIbmVpc(t, fakeOptions);
  const config = await ibmvpcConfig(ibmvpcYaml(fake, options));
  const adapter = new IbmVpcAdapter(config, adapterContext(), { imageUpload: { pollMs: 10, maxPollMs: 50 }, ...adapterOptions });
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  return { fake, config, adapter, listing: instanceListing(adapter), label };
}

/** Runs a state machine until it finishes (no sleeping: the fake answers at once). */
export const runMachine = <T>(machine: { advance(): Promise<T | undefined>; complete: boolean }, maxSteps = 1000): Promise<T> => runStateMachine(machine, { maxSteps, pauseMs: 0 });

export const nodeMetadata = (nodeId: string): Record<string, string> => ({ nodepool_node_id: nodeId, nodepool_pool_name: 'main', nodepool_provider_name: 'ibmvpc' });
