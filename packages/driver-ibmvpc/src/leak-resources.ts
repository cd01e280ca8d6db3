import type { InstanceListing, Logger } from '@nodepool/core';
import type { IbmVpcSetup } from './cloud.js';
import { ownerType } from './image-lookup.js';
import type { FloatingIpSnapshot } from './floating-ips.js';
import { isIbmVpcInstanceView, type IbmVpcResource } from './instance.js';
import { imageResourceGroupName, metadataFromNames } from './resource-names.js';

/**
 * Nodepool's resources in the region, with the metadata their names and resource groups carry,
 * for the kit's leak cleanup (which deletes those of this provider whose node or upload
 * ZooKeeper no longer knows, on the second sighting): instances (from the shared listing; one
 * already being deleted is left to finish), floating IPs, the account's own images and, with
 * `object-storage`, the bucket's objects.
 */
export async function listLeakResources(
  setup: IbmVpcSetup,
  options: { readonly providerName: string; readonly bucket: string | null; readonly instances: InstanceListing; readonly floatingIps: FloatingIpSnapshot; readonly log: Logger },
): Promise<IbmVpcResource[]> {
  const { groups } = setup;
  const resources: IbmVpcResource[] = [];
  const views = (await options.instances.all()).filter(isIbmVpcInstanceView);
  for (const view of views) {
    if (view.status === 'deleting') continue;
    resources.push({ type: 'instance', id: view.instanceId, name: view.externalId, metadata: view.metadata });
  }
  for (const fip of await options.floatingIps.fresh(options.instances)) {
    resources.push({ type: 'floatingip', id: fip.id, name: fip.name, metadata: metadataFromNames(fip.name, await groups.nameOf(fip.resource_group)) });
  }
  for (const image of await setup.images.refresh()) {
    if (ownerType(image) !== 'user' || image.status === 'deleting') continue;
    resources.push({ type: 'image', id: image.id, name: image.name, metadata: metadataFromNames(image.name, await groups.nameOf(image.resource_group)) });
  }
  const imageGroup = imageResourceGroupName(options.providerName);
  if (setup.cos && options.bucket && (await groups.exists(imageGroup))) {
    // The bucket may not exist: then there is nothing in it to clean.
    const objects = await setup.cos.listObjects(options.bucket).catch((error: unknown) => {
      options.log.debug('could not list the image bucket', { bucket: options.bucket, error: String(error) });
      return [];
    });
    for (const object of objects) resources.push({ type: 'object', id: object.key, name: object.key, metadata: metadataFromNames(object.key, imageGroup) });
  }
  return resources;
}

/** Deletes one leaked resource. */
export async function deleteLeakResource(setup: IbmVpcSetup, resource: IbmVpcResource, bucket: string | null, log: Logger): Promise<void> {
  log.info(`Deleting leaked ${resource.type}: ${resource.name}`);
  switch (resource.type) {
    case 'instance':
      return setup.vpcApi.deleteInstance(resource.id);
    case 'floatingip':
      return setup.vpcApi.deleteFloatingIp(resource.id);
    case 'image':
      return setup.vpcApi.deleteImage(resource.id);
    case 'object':
      if (setup.cos && bucket) await setup.cos.deleteObject(bucket, resource.id);
      return;
  }
}
