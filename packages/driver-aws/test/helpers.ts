import type { AdapterContext } from '@nodepool/core';
import { adapterTestContext, instanceListing, providerConfigOf } from '@nodepool/core/testing';
import awsDriver, { AwsAdapter, type AwsAdapterOptions, type AwsProviderConfig } from '@nodepool/driver-aws';
import { startFakeAws, type FakeAwsHandle, type FakeAwsOptions } from '@nodepool/driver-aws/testing';

/** The public Ubuntu (x86_64) AMI every fake starts with. */
export const UBUNTU_AMI = 'ami-00000000000ab0002';

/** Starts a fake AWS, stopped when the test ends. */
export async function useFakeAws(t: { teardown(fn: () => unknown): void }, options: FakeAwsOptions = {}): Promise<FakeAwsHandle> {
  const fake = await startFakeAws(options);
  t.teardown(() => fake.stop());
  return fake;
}

/**
 * An `aws` provider named `aws` against the fake: labels `small` (t3.medium), `spot`
 * (use-spot), `spot-or-not` (falling back to on-demand), `gpu` (g4dn.xlarge), `imdsv2` and
 * `diskimage` (boots the `base` diskimage), host keys not scanned. `extra` goes into the
 * provider entry, `pool` into the pool, `labelExtra` into the label `small`, and `label` is
 * one more label of the pool.
 */
export function awsYaml(fake: FakeAwsHandle, options: { extra?: string; labelExtra?: string; pool?: string; bucket?: string; importMethod?: 'snapshot' | 'image'; label?: { name: string; yaml: string } } = {}): string {
  return `labels:
${options.label ? `  - name: ${options.label.name}\n` : ''}
  - name: small
  - name: spot
  - name: spot-or-not
  - name: gpu
  - name: imdsv2
  - name: diskimage
diskimages:
  - name: base
providers:
  - name: aws
    driver: aws
    region-name: us-east-1
    endpoint-url: ${fake.url}
    rate: 1000
    boot-timeout: 20
    launch-retries: 2
${options.bucket ? `    object-storage:\n      bucket-name: ${options.bucket}\n` : ''}${options.extra ?? ''}    cloud-images:
      - name: ubuntu
        username: ubuntu
        image-id: ${UBUNTU_AMI}
      - name: ubuntu-newest
        username: ubuntu
        image-filters:
          - name: name
            values: ['ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-*']
    diskimages:
      - name: base
        import-method: ${options.importMethod ?? 'snapshot'}
        tags:
          team: ci
    pools:
      - name: main
        max-servers: 50
        host-key-checking: false
        subnet-id: subnet-0123456789abcdef0
        security-group-id: sg-0123456789abcdef0
${options.pool ?? ''}        labels:
          - name: small
            cloud-image: ubuntu
            instance-type: t3.medium
            key-name: zuul
            tags:
              team: ci
            dynamic-tags:
              request: '{request.id}'
${options.labelExtra ?? ''}          - name: spot
            cloud-image: ubuntu-newest
            instance-type: t3.medium
            key-name: zuul
            use-spot: true
          - name: spot-or-not
            cloud-image: ubuntu
            instance-type: t3.medium
            key-name: zuul
            use-spot: true
            fallback-to-on-demand: true
          - name: gpu
            cloud-image: ubuntu
            instance-type: g4dn.xlarge
            key-name: zuul
          - name: imdsv2
            cloud-image: ubuntu
            instance-type: t3.medium
            key-name: zuul
            imds-http-tokens: required
          - name: diskimage
            diskimage: base
            instance-type: t3.medium
            key-name: zuul
${options.label ? `          - name: ${options.label.name}\n${options.label.yaml.replace(/^/gm, '            ')}\n` : ''}`;
}

/** The typed config of `awsYaml`. */
export const awsConfig = (text: string): Promise<AwsProviderConfig> => providerConfigOf<AwsProviderConfig>(text, [awsDriver], 'aws');

export { instanceListing };

/** What the kit hands an adapter: paced limiters (far above anything a test does) and a logger. */
export const adapterContext = (rate = 1000): AdapterContext => adapterTestContext('test.driver-aws', rate);


/** A fake, the provider of `awsYaml` and an adapter for it. */
export async function awsSetup(t: { teardown(fn: () => unknown): void }, fakeOptions: FakeAwsOptions = {}, options: Parameters<typeof awsYaml>[1] = {}, adapterOptions: AwsAdapterOptions = {}) {
  const fake = await useFakeAws(t, fakeOptions);
  const config = await awsConfig(awsYaml(fake, options));
  const adapter = new AwsAdapter(config, adapterContext(), { imageImport: { pollMs: 20, maxPollMs: 100 }, ...adapterOptions });
  t.teardown(() => adapter.stop());
  const label = (name: string) => config.pools.get('main')!.labels.get(name)!;
  return { fake, config, adapter, listing: instanceListing(adapter), label };
}
