import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AdapterContext } from '@nodepool/core';
import { adapterTestContext, instanceListing, providerConfigOf, runStateMachine } from '@nodepool/core/testing';
import drivers, { OpenStackAdapter, type OpenStackAdapterOptions, type OpenStackProviderConfig } from '@nodepool/driver-openstack';
import { fakeCloudEntry, startFakeOpenStack, type FakeOpenStackHandle, type FakeOpenStackOptions } from '@nodepool/driver-openstack/testing';

/**
 * One clouds.yaml per test process, holding a cloud per fake (`fake-<port>`), named by
 * OS_CLIENT_CONFIG_FILE as an operator would: launchers started in this process read it. Each
 * new fake rewrites it whole (a rename, so a reader never sees half a file).
 */
const cloudsDir = mkdtempSync(join(tmpdir(), 'nodepool-openstack-clouds-'));
const cloudsFile = join(cloudsDir, 'clouds.yaml');
const entries = new Map<string, string>();
process.env.OS_CLIENT_CONFIG_FILE = cloudsFile;

/** The clouds.yaml the fakes of this process are in. */
export const CLOUDS_FILE = cloudsFile;

function writeClouds(): void {
  const temporary = `${cloudsFile}.${process.pid}.tmp`;
  writeFileSync(temporary, `clouds:\n${[...entries.values()].join('\n')}\n`);
  renameSync(temporary, cloudsFile);
}

/** A fake OpenStack with its own cloud in this process's clouds.yaml; stopped when the test ends. */
export async function useFakeOpenStack(
  t: { teardown(fn: () => unknown): void },
  options: FakeOpenStackOptions & { cloudExtra?: string; auth?: 'password' | 'application-credential' } = {},
): Promise<FakeOpenStackHandle & { cloud: string }> {
  const { cloudExtra, auth, ...fakeOptions } = options;
  const fake = await startFakeOpenStack(fakeOptions);
  const cloud = `fake-${fake.port}`;
  entries.set(cloud, fakeCloudEntry(cloud, fake.url, { ...(auth ? { auth } : {}), ...(cloudExtra ? { extra: cloudExtra } : {}) }));
  writeClouds();
  t.teardown(async () => {
    await fake.stop();
    entries.delete(cloud);
  });
  return Object.assign(fake, { cloud });
}

export interface OpenStackYamlOptions {
  /** Provider keys (indented 4). */
  readonly extra?: string;
  /** Pool keys (indented 8). */
  readonly pool?: string;
  /** Keys of the label `small` (indented 12). */
  readonly labelExtra?: string;
  /** One more label of the pool (keys indented by the helper). */
  readonly label?: { name: string; yaml: string };
  readonly maxServers?: number;
}

/**
 * An `openstack` provider named `openstack` on the fake: labels `small` (cloud image `cirros`
 * by name, the smallest flavor with 1 GiB), `debian` (cloud image by ID, flavor `m1.medium`) and
 * `diskimage` (the `base` diskimage), on the `private` network, host keys not scanned.
 */
export function openstackYaml(fake: { cloud: string; state(): { images: readonly { id: string; name: string }[] } }, options: OpenStackYamlOptions = {}): string {
  const debian = fake.state().images.find((image) => image.name === 'debian-12')!;
  return `labels:
  - name: small
  - name: debian
  - name: diskimage
${options.label ? `  - name: ${options.label.name}\n` : ''}diskimages:
  - name: base
providers:
  - name: openstack
    driver: openstack
    cloud: ${fake.cloud}
    region-name: RegionOne
    rate: 0.001
    boot-timeout: 20
    launch-retries: 2
${options.extra ?? ''}    cloud-images:
      - name: cirros
        image-name: cirros-0.6.2-x86_64-disk
        username: cirros
      - name: debian
        image-id: ${debian.id}
        username: debian
    diskimages:
      - name: base
        meta:
          team: ci
    pools:
      - name: main
        max-servers: ${options.maxServers ?? 50}
        host-key-checking: false
        networks:
          - private
${options.pool ?? ''}        labels:
          - name: small
            cloud-image: cirros
            min-ram: 1024
            key-name: zuul
            instance-properties:
              team: ci
            dynamic-instance-properties:
              request: '{request.id}'
${options.labelExtra ?? ''}          - name: debian
            cloud-image: debian
            flavor-name: m1.medium
          - name: diskimage
            diskimage: base
            flavor-name: m1.small
${options.label ? `          - name: ${options.label.name}\n${options.label.yaml.replace(/^/gm, '            ')}\n` : ''}`;
}

/** The typed config of `openstackYaml`. */
export const openstackConfig = (text: string): Promise<OpenStackProviderConfig> => providerConfigOf<OpenStackProviderConfig>(text, drivers, 'openstack');

export { instanceListing };

/** What the kit hands an adapter: paced limiters (far above anything a test does) and a logger. */
export const adapterContext = (rate = 1000): AdapterContext => adapterTestContext('test.driver-openstack', rate);


/** A fake, the provider of `openstackYaml` and an adapter for it. */
export async function openstackSetup(
  t: { teardown(fn: () => unknown): void },
  fakeOptions: Parameters<typeof useFakeOpenStack>[1] = {},
  options: OpenStackYamlOptions = {},
  adapterOptions: OpenStackAdapterOptions = {},
) {
  const fake = await useFakeOpenStack(t, fakeOptions);
  const config = await openstackConfig(openstackYaml(fake, options));
  const adapter = new OpenStackAdapter(config, adapterContext(), { imageUpload: { pollMs: 10, maxPollMs: 50 }, floatingIpListingIntervalMs: 0, ...adapterOptions });
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  return { fake, config, adapter, listing: instanceListing(adapter), label };
}

/** Runs a state machine until it finishes (no sleeping: the fake answers at once). */
export const runMachine = <T>(machine: { advance(): Promise<T | undefined>; complete: boolean }, maxSteps = 1000): Promise<T> => runStateMachine(machine, { maxSteps, pauseMs: 0 });
