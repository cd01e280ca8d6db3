import type { GceInstanceData } from './client.js';
import type { GceCloudImageConfig, GceLabelConfig } from './config.js';
import { metadataItems, nodepoolLabels } from './instance.js';

/**
 * The `instances.insert` body of a node, as 9.0.0 builds it: the boot disk from the image
 * (auto-deleted with the instance) of the label's type and size, the project's `default`
 * network with an external NAT address, no service account, and Nodepool's metadata items plus
 * `ssh-keys` (`username:key`) when the cloud image has a key. Ours on top: Nodepool's keys as
 * labels too (where GCE allows their values).
 */
export function insertBody(options: {
  readonly hostname: string;
  readonly zone: string;
  readonly label: GceLabelConfig;
  readonly image: GceCloudImageConfig;
  readonly sourceImage: string;
  readonly machineTypeLink: string;
  readonly metadata: Readonly<Record<string, string>>;
}): GceInstanceData {
  const { label, image } = options;
  const metadata: Record<string, string> = { ...options.metadata };
  if (image.key) metadata['ssh-keys'] = `${image.username ?? ''}:${image.key}`;
  return {
    name: options.hostname,
    machineType: options.machineTypeLink,
    disks: [
      {
        boot: true,
        autoDelete: true,
        initializeParams: { sourceImage: options.sourceImage, diskType: `zones/${options.zone}/diskTypes/${label.volumeType}`, diskSizeGb: label.volumeSize },
      },
    ],
    networkInterfaces: [{ network: 'global/networks/default', accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT' }] }],
    serviceAccounts: [],
    metadata: metadataItems(metadata),
    labels: nodepoolLabels(options.metadata),
  };
}
