/**
 * IBM Cloud cannot tag a resource as it is created, so Nodepool 9.0.0 keeps its metadata in
 * names: every instance and floating IP of a pool lives in resource group `np_<provider>_<pool>`
 * and is named `np<node id>`; uploaded images live in `npimages_<provider>` and are named
 * `npimage<upload id>`. Leak cleanup and quota read the metadata back from those names.
 */

const HOSTNAME = /^np([0-9]+)$/;
const UPLOAD = /^npimage([0-9]+)/;
const POOL_GROUP = /^np_([A-Za-z0-9-]+)_([A-Za-z0-9-]+)$/;
const IMAGE_GROUP = /^npimages_([A-Za-z0-9-]+)$/;

/** The resource group of a pool's instances and floating IPs. */
export function poolResourceGroupName(provider: string, pool: string): string {
  if (provider.includes('_') || pool.includes('_')) throw new Error('Provider and pool names may not contain underscores');
  return `np_${provider}_${pool}`;
}

/** The resource group of a provider's uploaded images. */
export function imageResourceGroupName(provider: string): string {
  if (provider.includes('_')) throw new Error('Provider and pool names may not contain underscores');
  return `npimages_${provider}`;
}

/**
 * Nodepool's metadata of a resource named `name` in the resource group named `group` (undefined
 * when the group is unknown): `nodepool_node_id` or `nodepool_upload_id` from the name, the
 * provider (and pool) from the group.
 */
export function metadataFromNames(name: string, group: string | undefined): Record<string, string> {
  const metadata: Record<string, string> = {};
  const node = HOSTNAME.exec(name);
  if (node) metadata.nodepool_node_id = node[1]!;
  else {
    const upload = UPLOAD.exec(name);
    if (upload) metadata.nodepool_upload_id = upload[1]!;
  }
  if (group !== undefined) {
    const pool = POOL_GROUP.exec(group);
    if (pool) {
      metadata.nodepool_provider_name = pool[1]!;
      metadata.nodepool_pool_name = pool[2]!;
    } else {
      const images = IMAGE_GROUP.exec(group);
      if (images) metadata.nodepool_provider_name = images[1]!;
    }
  }
  return metadata;
}
