import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import test from 'ava';
import type { AdapterContext } from '@nodepool/core';
import { adapterTestContext, instanceListing, providerConfigOf, runStateMachine } from '@nodepool/core/testing';
import gceDriver, { GceAdapter, type GceAdapterOptions, type GceProviderConfig } from '@nodepool/driver-gce';
import { startFakeGce, type FakeGceHandle, type StartFakeGceOptions } from '@nodepool/driver-gce/testing';

/**
 * Credentials for every fake of this test process, found as an operator's are: through
 * GOOGLE_APPLICATION_CREDENTIALS. They name the token endpoint of one fake kept for the whole
 * process; any fake accepts the tokens it issues.
 */
const tokenFake = await startFakeGce();
test.after.always(() => tokenFake.stop());
const credentialsDir = mkdtempSync(join(tmpdir(), 'nodepool-gce-credentials-'));
export const CREDENTIALS_FILE = join(credentialsDir, 'credentials.json');
writeFileSync(CREDENTIALS_FILE, JSON.stringify(tokenFake.credentials()));
process.env.GOOGLE_APPLICATION_CREDENTIALS = CREDENTIALS_FILE;

/** A fake GCE, stopped when the test ends. */
export async function useFakeGce(t: { teardown(fn: () => unknown): void }, options: StartFakeGceOptions = {}): Promise<FakeGceHandle> {
  const fake = await startFakeGce(options);
  t.teardown(() => fake.stop());
  return fake;
}

export interface GceYamlOptions {
  /** Provider keys (indented 4). */
  readonly extra?: string;
  /** Pool keys (indented 8). */
  readonly pool?: string;
  /** Keys of the label `small` (indented 12). */
  readonly labelExtra?: string;
  readonly maxServers?: number;
}

/**
 * A `gce` provider named `gce` on the fake (project `nodepool-test`, zone `us-central1-a`):
 * labels `small` (e2-small from the `debian-12` family) and `large` (n2-standard-8 from an image
 * by URL), host keys not scanned.
 */
export function gceYaml(fake: { url: string }, options: GceYamlOptions = {}): string {
  return `labels:
  - name: small
  - name: large
providers:
  - name: gce
    driver: gce
    project: nodepool-test
    region: us-central1
    zone: us-central1-a
    endpoint-url: ${fake.url}
    rate: 1000
    boot-timeout: 20
    launch-retries: 2
${options.extra ?? ''}    cloud-images:
      - name: debian
        image-project: debian-cloud
        image-family: debian-12
        username: zuul
        key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests zuul@example.org
      - name: ubuntu
        image-id: projects/ubuntu-os-cloud/global/images/ubuntu-2204-jammy-v20240112
        username: ubuntu
    pools:
      - name: main
        max-servers: ${options.maxServers ?? 50}
        host-key-checking: false
${options.pool ?? ''}        labels:
          - name: small
            cloud-image: debian
            instance-type: e2-small
            volume-type: pd-balanced
            volume-size: 20
${options.labelExtra ?? ''}          - name: large
            cloud-image: ubuntu
            instance-type: n2-standard-8
`;
}

/** The typed config of `gceYaml`. */
export const gceConfig = (text: string): Promise<GceProviderConfig> => providerConfigOf<GceProviderConfig>(text, [gceDriver], 'gce');

export { instanceListing };

/** What the kit hands an adapter: paced limiters (far above anything a test does) and a logger. */
export const adapterContext = (rate = 1000): AdapterContext => adapterTestContext('test.driver-gce', rate);


/** A fake, the provider of `gceYaml` and an adapter for it. */
export async function gceSetup(t: { teardown(fn: () => unknown): void }, fakeOptions: StartFakeGceOptions = {}, options: GceYamlOptions = {}, adapterOptions: GceAdapterOptions = {}) {
  const fake = await useFakeGce(t, fakeOptions);
  const config = await gceConfig(gceYaml(fake, options));
  const adapter = new GceAdapter(config, adapterContext(), adapterOptions);
  t.teardown(() => adapter.stop());
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  return { fake, config, adapter, listing: instanceListing(adapter), label };
}

/** Runs a state machine until it finishes. */
export const runMachine = <T>(machine: { advance(): Promise<T | undefined>; complete: boolean }, maxSteps = 1000): Promise<T> => runStateMachine(machine, { maxSteps, pauseMs: 5 });
