import { setTimeout as sleep } from 'node:timers/promises';
import type { Host } from '@aws-sdk/client-ec2';
import { LaunchStatusError, NotFoundError, TtlCache } from '@nodepool/core';
import { AwsApiError, isNotFoundCode } from './aws-errors.js';
import type { AwsClient } from './client.js';
import { toTagList } from './tags.js';

/** A release EC2 refused because the host still has an instance (it is still shutting down). */
export class HostBusyError extends AwsApiError {}

/**
 * Dedicated hosts (`dedicated-host` labels): one allocated per instance, tagged like it, and
 * released after it. Every machine waiting for a host reads one shared DescribeHosts listing.
 */
export class DedicatedHosts {
  private readonly listing: TtlCache<Host[]>;

  constructor(
    private readonly client: Pick<AwsClient, 'allocateHosts' | 'releaseHosts' | 'describeHosts'>,
    private readonly pollMs = 1_000,
  ) {
    this.listing = new TtlCache(() => this.client.describeHosts(), pollMs);
  }

  /** Allocates one host for `instanceType` in `zone`; returns its ID. */
  async allocate(options: { instanceType: string; zone: string | null; tags: Readonly<Record<string, string>> }): Promise<string> {
    const [hostId] = await this.client.allocateHosts({
      InstanceType: options.instanceType,
      Quantity: 1,
      AutoPlacement: 'off',
      ...(options.zone === null ? {} : { AvailabilityZone: options.zone }),
      TagSpecifications: [{ ResourceType: 'dedicated-host', Tags: toTagList(options.tags) }],
    } as Parameters<AwsClient['allocateHosts']>[0]);
    if (!hostId) throw new LaunchStatusError(`EC2 AllocateHosts for ${options.instanceType} answered without a host`);
    return hostId;
  }

  /** Resolves once the host is `available`; fails if it ends up in any state but `pending`. */
  async waitUntilAvailable(hostId: string): Promise<void> {
    for (;;) {
      const host = (await this.listing.get()).find((candidate) => candidate.HostId === hostId);
      if (host?.State === 'available') return;
      if (host && host.State !== 'pending') throw new LaunchStatusError(`dedicated host ${hostId} is ${host.State ?? 'in an unknown state'}`);
      await sleep(this.pollMs);
    }
  }

  /** Every host of the region, from a listing at most `pollMs` old. */
  list(): Promise<Host[]> {
    return this.listing.get();
  }

  /**
   * Releases a host. One EC2 does not know counts as released (`NotFoundError`); one that still
   * has an instance is a `HostBusyError`, to try again once the instance is gone.
   */
  async release(hostId: string): Promise<void> {
    const [refused] = await this.client.releaseHosts([hostId]);
    this.listing.invalidate();
    if (!refused) return;
    const message = `AWS ReleaseHosts: ${refused.code}: ${refused.message}`;
    if (isNotFoundCode(refused.code)) throw new NotFoundError(message);
    if (refused.code.endsWith('InvalidHostState')) throw new HostBusyError(message, 'ReleaseHosts', refused.code, 400);
    throw new AwsApiError(message, 'ReleaseHosts', refused.code, 400);
  }
}
