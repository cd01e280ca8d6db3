import { EC2Client, type RunInstancesCommandInput, type Tag } from '@aws-sdk/client-ec2';
import { S3Client } from '@aws-sdk/client-s3';
import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { startFakeAws, type FakeAwsHandle, type FakeAwsOptions } from '@nodepool/driver-aws/testing';
import type { ExecutionContext } from 'ava';

/** A clock the test moves by hand. */
export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A fake AWS with real SDK v3 clients pointed at it. */
export interface FakeSetup {
  readonly fake: FakeAwsHandle;
  readonly ec2: EC2Client;
  readonly s3: S3Client;
  readonly quotas: ServiceQuotasClient;
}

/**
 * Starts a fake AWS for one test, stopped in its teardown, with EC2, S3 and Service Quotas
 * clients. The clients make one attempt unless `maxAttempts` says otherwise, so an error code
 * is seen as the fake sent it rather than after the SDK's own retries.
 */
export async function useFake(t: ExecutionContext, options: FakeAwsOptions = {}, { maxAttempts = 1 }: { maxAttempts?: number } = {}): Promise<FakeSetup> {
  const fake = await startFakeAws(options);
  const ec2 = new EC2Client({ ...fake.clientConfig(), maxAttempts });
  const s3 = new S3Client({ ...fake.s3ClientConfig(), maxAttempts });
  const quotas = new ServiceQuotasClient({ ...fake.clientConfig(), maxAttempts });
  t.teardown(async () => {
    ec2.destroy();
    s3.destroy();
    quotas.destroy();
    await fake.stop();
  });
  return { fake, ec2, s3, quotas };
}

/** The newest public Ubuntu (x86_64) AMI every fake starts with. */
export const UBUNTU_AMI = 'ami-00000000000ab0002';
/** The arm64 Ubuntu AMI every fake starts with. */
export const UBUNTU_ARM_AMI = 'ami-00000000000ab0003';

export const tagList = (tags: Record<string, string>): Tag[] => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
export const tagDict = (tags: Tag[] | undefined): Record<string, string> => Object.fromEntries((tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));

/** Nodepool's metadata tags on one node. */
export const nodeTags = (nodeId: string): Record<string, string> => ({
  nodepool_node_id: nodeId,
  nodepool_pool_name: 'main',
  nodepool_provider_name: 'aws',
  Name: `np${nodeId}`,
});

/** RunInstances as the original adapter builds it (one instance, one NIC, instance and volume tags). */
export function launchArgs(tags: Record<string, string>, extra: Partial<RunInstancesCommandInput> = {}): RunInstancesCommandInput {
  return {
    ImageId: UBUNTU_AMI,
    MinCount: 1,
    MaxCount: 1,
    KeyName: 'zuul',
    EbsOptimized: false,
    InstanceType: 't3.medium',
    NetworkInterfaces: [{ AssociatePublicIpAddress: true, DeviceIndex: 0 }],
    TagSpecifications: [
      { ResourceType: 'instance', Tags: tagList(tags) },
      { ResourceType: 'volume', Tags: tagList(tags) },
    ],
    ...extra,
  };
}
