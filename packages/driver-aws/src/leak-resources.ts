import type { Image, Snapshot } from '@aws-sdk/client-ec2';
import { NotFoundError, type InstanceListing, type Logger } from '@nodepool/core';
import type { AwsClient } from './client.js';
import type { DedicatedHosts } from './dedicated-hosts.js';
import { isAwsInstanceView, type AwsResource } from './instance.js';
import { PROVIDER_TAG, toTagRecord } from './tags.js';
import type { TerminateBatcher } from './terminate-batcher.js';

const IMPORT_TASK = /(import-(?:ami|snap)-\w+)/;

/**
 * Nodepool's resources in the region for leak cleanup — instances (from the kit's shared
 * listing), volumes, AMIs, snapshots, dedicated hosts and the image bucket's objects carrying
 * Nodepool's tags — and their deletion. One listing of each kind per cleanup pass.
 *
 * What an import makes is untagged until the upload tags it: an import whose upload died in
 * between is recognised by its task (whose tags EC2 keeps) and tagged here, as the original does.
 */
export class LeakResources {
  /** Imported AMIs and snapshots found not to be ours: not looked at again. */
  private readonly notOurs = new Set<string>();

  constructor(
    private readonly client: AwsClient,
    private readonly terminator: Pick<TerminateBatcher, 'terminate'>,
    private readonly hosts: Pick<DedicatedHosts, 'list' | 'release'>,
    private readonly options: { providerName: string; bucket: string | null; dedicatedHosts: boolean; log: Logger },
  ) {}

  async list(instances: InstanceListing): Promise<AwsResource[]> {
    const { bucket, dedicatedHosts } = this.options;
    const [listed, volumes, images, snapshots, hosts, objects] = await Promise.all([
      instances.all(),
      this.client.describeVolumes([{ Name: 'tag-key', Values: [PROVIDER_TAG] }]),
      this.client.describeImages({ owners: ['self'] }),
      this.client.describeSnapshots({ ownerIds: ['self'] }),
      dedicatedHosts ? this.hosts.list() : Promise.resolve([]),
      bucket === null ? Promise.resolve([]) : this.objects(bucket),
    ]);
    await this.tagImports(images, snapshots);
    const ours = (resource: AwsResource): boolean => PROVIDER_TAG in resource.metadata;
    return [
      ...listed.filter(isAwsInstanceView).filter((instance) => instance.state !== 'terminated').map((instance): AwsResource => ({ type: 'instance', id: instance.externalId, metadata: instance.metadata })),
      ...volumes.filter((volume) => volume.State !== 'deleting' && volume.State !== 'deleted').map((volume): AwsResource => ({ type: 'volume', id: volume.VolumeId ?? '', metadata: toTagRecord(volume.Tags) })),
      ...images.filter((image) => image.State !== 'deregistered').map((image): AwsResource => ({ type: 'ami', id: image.ImageId ?? '', metadata: toTagRecord(image.Tags) })),
      ...snapshots.map((snapshot): AwsResource => ({ type: 'snapshot', id: snapshot.SnapshotId ?? '', metadata: toTagRecord(snapshot.Tags) })),
      ...hosts.filter((host) => host.State !== 'released' && host.State !== 'released-permanent-failure').map((host): AwsResource => ({ type: 'host', id: host.HostId ?? '', metadata: toTagRecord(host.Tags) })),
      ...objects,
    ].filter(ours);
  }

  async delete(resource: AwsResource): Promise<void> {
    const { id } = resource;
    this.options.log.info('deleting leaked resource', { type: resource.type, id });
    switch (resource.type) {
      case 'instance':
        return this.terminator.terminate(id);
      case 'volume':
        return this.client.deleteVolume(id);
      case 'ami':
        return this.client.deregisterImage(id);
      case 'snapshot':
        return this.client.deleteSnapshot(id);
      case 'host':
        return this.hosts.release(id);
      case 'object':
        if (this.options.bucket === null) throw new NotFoundError(`no bucket for object ${id}`);
        return this.client.deleteObject(this.options.bucket, id);
    }
  }

  /** The bucket's objects with their tags: S3 lists no tags, so one GetObjectTagging each (as the original). */
  private async objects(bucket: string): Promise<AwsResource[]> {
    const keys = await this.client.listObjectKeys(bucket);
    const tagged = await Promise.all(
      keys.map(async (key): Promise<AwsResource | undefined> => {
        try {
          return { type: 'object', id: key, metadata: toTagRecord(await this.client.getObjectTags(bucket, key)) };
        } catch (error) {
          if (error instanceof NotFoundError) return undefined;
          throw error;
        }
      }),
    );
    return tagged.filter((resource): resource is AwsResource => resource !== undefined);
  }

  /**
   * Copies an import task's tags onto the untagged AMI or snapshot it made, when the task is
   * this provider's; others are remembered as not ours. The AMI or snapshot is then listed
   * with its tags, so cleanup can judge it on this pass.
   */
  private async tagImports(images: Image[], snapshots: Snapshot[]): Promise<void> {
    const candidates = new Map<string, { id: string; record: { Tags?: Image['Tags'] } }[]>();
    const consider = (id: string | undefined, text: string | undefined, record: { Tags?: Image['Tags'] }): void => {
      if (!id || (record.Tags?.length ?? 0) > 0 || this.notOurs.has(id)) return;
      const task = IMPORT_TASK.exec(text ?? '')?.[1];
      if (task === undefined) return;
      candidates.set(task, [...(candidates.get(task) ?? []), { id, record }]);
    };
    for (const image of images) consider(image.ImageId, image.Name, image);
    for (const snapshot of snapshots) consider(snapshot.SnapshotId, snapshot.Description, snapshot);
    if (candidates.size === 0) return;
    const ids = [...candidates.keys()];
    const [imageTasks, snapshotTasks] = await Promise.all([
      ids.some((id) => id.startsWith('import-ami-')) ? this.client.describeImportImageTasks(ids.filter((id) => id.startsWith('import-ami-'))).catch(() => []) : [],
      ids.some((id) => id.startsWith('import-snap-')) ? this.client.describeImportSnapshotTasks(ids.filter((id) => id.startsWith('import-snap-'))).catch(() => []) : [],
    ]);
    const taskTags = new Map([...imageTasks, ...snapshotTasks].map((task) => [task.ImportTaskId ?? '', task.Tags ?? []]));
    for (const [taskId, found] of candidates) {
      const tags = taskTags.get(taskId) ?? [];
      if (toTagRecord(tags)[PROVIDER_TAG] !== this.options.providerName) {
        for (const { id } of found) this.notOurs.add(id);
        continue;
      }
      this.options.log.debug('copying tags from an import task', { task: taskId, to: found.map(({ id }) => id) });
      await this.client.createTags(
        found.map(({ id }) => id),
        tags,
      );
      for (const { record } of found) record.Tags = tags;
    }
  }
}
