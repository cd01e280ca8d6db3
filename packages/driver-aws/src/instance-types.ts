import type { InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { Logger } from '@nodepool/core';
import { AwsApiError } from './aws-errors.js';
import type { AwsClient } from './client.js';
import type { InstanceTypeFigures } from './quota.js';

/** DescribeInstanceTypes takes at most this many names per call. */
const BATCH = 100;

function figures(info: InstanceTypeInfo): InstanceTypeFigures | undefined {
  const vcpus = info.VCpuInfo?.DefaultVCpus;
  if (!info.InstanceType || vcpus === undefined) return undefined;
  return { name: info.InstanceType, vcpus, cores: info.VCpuInfo?.DefaultCores ?? vcpus, memoryMiB: info.MemoryInfo?.SizeInMiB ?? 0 };
}

/**
 * Instance types as DescribeInstanceTypes describes them, read once per type for the adapter's
 * life (they do not change). Names asked for together are read in one call; a name EC2 does
 * not know is remembered as unknown rather than asked about again.
 */
export class InstanceTypeCatalog {
  private readonly known = new Map<string, InstanceTypeFigures | null>();
  private readonly loading = new Map<string, Promise<void>>();

  constructor(
    private readonly client: Pick<AwsClient, 'describeInstanceTypes'>,
    private readonly log: Logger,
  ) {}

  /** The type's figures, or undefined if EC2 does not know it. */
  async get(name: string): Promise<InstanceTypeFigures | undefined> {
    await this.load([name]);
    return this.known.get(name) ?? undefined;
  }

  /** What is known already, without asking. */
  peek(name: string): InstanceTypeFigures | undefined {
    return this.known.get(name) ?? undefined;
  }

  /** Reads every name not read yet, in as few calls as EC2 allows. */
  async load(names: Iterable<string>): Promise<void> {
    const missing = [...new Set(names)].filter((name) => !this.known.has(name) && !this.loading.has(name));
    for (let start = 0; start < missing.length; start += BATCH) {
      const batch = missing.slice(start, start + BATCH);
      const promise = this.fetch(batch).finally(() => {
        for (const name of batch) this.loading.delete(name);
      });
      for (const name of batch) this.loading.set(name, promise);
    }
    await Promise.all([...new Set(names)].map((name) => this.loading.get(name)));
  }

  private async fetch(names: string[]): Promise<void> {
    let infos: InstanceTypeInfo[];
    try {
      infos = await this.client.describeInstanceTypes(names);
    } catch (error) {
      if (!(error instanceof AwsApiError && error.code === 'InvalidInstanceType')) throw error;
      if (names.length > 1) {
        // One unknown name fails the whole call: ask about each alone to find it.
        await Promise.all(names.map((name) => this.fetch([name])));
        return;
      }
      this.log.warn('EC2 does not know this instance type', { instanceType: names[0] });
      this.known.set(names[0]!, null);
      return;
    }
    for (const info of infos) {
      const found = figures(info);
      if (found) this.known.set(found.name, found);
    }
    for (const name of names) if (!this.known.has(name)) this.known.set(name, null);
  }
}
