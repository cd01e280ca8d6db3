import type { Tag } from '@aws-sdk/client-ec2';
import { formatRequestTemplates, pythonStr, type Logger, type NodeRequest } from '@nodepool/core';
import type { AwsLabelConfig } from './config.js';

/** Nodepool's tag naming a cloud resource's provider: resources without it are never touched. */
export const PROVIDER_TAG = 'nodepool_provider_name';

/** `{Key: Value}` pairs as EC2 takes them. */
export function toTagList(tags: Readonly<Record<string, string>>): Tag[] {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}

/** EC2's tag list as a record (a resource without tags has none). */
export function toTagRecord(tags: readonly Tag[] | undefined): Record<string, string> {
  const record: Record<string, string> = {};
  for (const tag of tags ?? []) if (tag.Key !== undefined) record[tag.Key] = tag.Value ?? '';
  return record;
}

/**
 * The tags of a node's instance and volumes (and dedicated host), in the original's order: the
 * label's `tags` (values as Python's `str()`), its `dynamic-tags` formatted from the request (a
 * template that does not format is logged and left out, as the original does), Nodepool's
 * metadata, and `Name` = the host name.
 */
export function nodeTags(
  label: Pick<AwsLabelConfig, 'tags' | 'dynamicTags'>,
  request: NodeRequest,
  metadata: Readonly<Record<string, string>>,
  hostname: string,
  log: Logger,
): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const [key, value] of Object.entries(label.tags)) tags[key] = pythonStr(value);
  Object.assign(tags, formatRequestTemplates(label.dynamicTags, request, log, 'dynamic tag'));
  Object.assign(tags, metadata);
  tags.Name = hostname;
  return tags;
}
