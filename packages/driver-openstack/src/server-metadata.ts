import { formatRequestTemplates, pythonStr, type Logger, type NodeRequest } from '@nodepool/core';
import type { OpenStackLabelConfig } from './config.js';

/**
 * The server's Nova metadata, in the original's order: `groups` (provider, image and label
 * names, for Ansible inventories), the label's `instance-properties`, its
 * `dynamic-instance-properties` formatted from the request (one that does not format is logged
 * and left out, as the original does), then Nodepool's metadata. Differs from Nodepool: values
 * that are not strings are sent as Python's `str()` writes them (Nova takes strings only and
 * refused the original's server outright).
 */
export function serverMetadata(options: {
  readonly providerName: string;
  readonly imageName: string;
  readonly label: Pick<OpenStackLabelConfig, 'name' | 'instanceProperties' | 'dynamicInstanceProperties'>;
  readonly request: NodeRequest;
  readonly nodepoolMetadata: Readonly<Record<string, string>>;
  readonly log: Logger;
}): Record<string, string> {
  const { label, log } = options;
  const metadata: Record<string, string> = { groups: [options.providerName, options.imageName, label.name].join(',') };
  for (const [key, value] of Object.entries(label.instanceProperties)) metadata[key] = pythonStr(value);
  Object.assign(metadata, formatRequestTemplates(label.dynamicInstanceProperties, options.request, log, 'dynamic instance property'));
  Object.assign(metadata, options.nodepoolMetadata);
  return metadata;
}
