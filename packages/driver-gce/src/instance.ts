import { QuotaInformation, type Instance, type Resource } from '@nodepool/core';
import type { GceInstanceData } from './client.js';

/**
 * A GCE instance as core sees it, plus its Compute status for the machines reading the kit's
 * shared listing (which hands back the objects `listInstances` made).
 */
export interface GceInstanceView extends Instance {
  /** PROVISIONING, STAGING, RUNNING, STOPPING, SUSPENDING, SUSPENDED, REPAIRING or TERMINATED. */
  readonly status: string;
  /** Compute's `statusMessage`, if any. */
  readonly statusMessage: string | null;
  /** The machine type's name (`n1-standard-1`). */
  readonly machineType: string;
}

/** The leak-cleanup resource of the gce driver: an instance, by name. */
export type GceResource = Resource & { readonly type: 'instance'; readonly id: string };

/** Nodepool's keys, also written as GCE labels when their values are valid label values. */
const NODEPOOL_KEYS = ['nodepool_node_id', 'nodepool_pool_name', 'nodepool_provider_name'];

/** GCE metadata items as a record (`{items: [{key, value}]}`). */
export function metadataRecord(metadata: GceInstanceData['metadata']): Record<string, string> {
  const record: Record<string, string> = {};
  for (const item of metadata?.items ?? []) if (item.key) record[item.key] = item.value ?? '';
  return record;
}

/** A record as GCE metadata items. */
export function metadataItems(record: Readonly<Record<string, string>>): { items: { key: string; value: string }[] } {
  return { items: Object.entries(record).map(([key, value]) => ({ key, value })) };
}

/**
 * Nodepool's keys as GCE labels, for operators filtering in the console or with gcloud. Label
 * values allow lowercase letters, digits, `_` and `-` only (63 at most): a key whose value does
 * not fit is left out (the metadata items, which 9.0.0 reads, always carry all three).
 */
export function nodepoolLabels(metadata: Readonly<Record<string, string>>): Record<string, string> {
  const labels: Record<string, string> = {};
  for (const key of NODEPOOL_KEYS) {
    const value = metadata[key];
    if (value !== undefined && /^[a-z0-9_-]{0,63}$/.test(value)) labels[key] = value;
  }
  return labels;
}

/**
 * Nodepool's keys on an instance: its metadata items, as 9.0.0 writes and reads them, or its
 * labels for an instance whose metadata lacks them (someone's edit).
 */
export function nodepoolMetadataOf(raw: GceInstanceData): Record<string, string> {
  const metadata = metadataRecord(raw.metadata);
  if (metadata.nodepool_provider_name !== undefined) return metadata;
  const labels = raw.labels ?? {};
  for (const key of NODEPOOL_KEYS) if (labels[key] !== undefined) metadata[key] = labels[key];
  return metadata;
}

/** The last segment of a Compute URL (`…/zones/us-central1-a` → `us-central1-a`). */
export function lastSegment(url: string | null | undefined): string {
  return (url ?? '').split('/').pop() ?? '';
}

/**
 * Compute's description of an instance as core's `Instance`, as 9.0.0 reads it: the name is the
 * external ID, the zone the availability zone and its prefix the region, the first interface's
 * `networkIP` the private address and its first access config's `natIP` the public one (the
 * interface address: public, else private; the kit prefers the private one for
 * `use-internal-ip` pools). `quota` is what its machine type uses; a TERMINATED one uses none.
 */
export function toInstance(raw: GceInstanceData, quota: QuotaInformation | undefined): GceInstanceView {
  const zone = lastSegment(raw.zone);
  const nic = raw.networkInterfaces?.[0];
  const privateIpv4 = nic?.networkIP ?? null;
  const publicIpv4 = nic?.accessConfigs?.[0]?.natIP ?? null;
  const status = raw.status ?? 'PROVISIONING';
  const uses = status === 'TERMINATED' ? new QuotaInformation() : (quota ?? new QuotaInformation({ instances: 1 }));
  return {
    externalId: raw.name ?? '',
    status,
    statusMessage: raw.statusMessage ?? null,
    machineType: lastSegment(raw.machineType),
    ready: status === 'RUNNING',
    deleted: status === 'TERMINATED' || status === 'STOPPING',
    interfaceIp: publicIpv4 ?? privateIpv4,
    publicIpv4,
    privateIpv4,
    cloud: 'Google',
    region: zone.replace(/-[^-]*$/, ''),
    az: zone,
    metadata: nodepoolMetadataOf(raw),
    getQuotaInformation: () => uses,
  };
}

/** Whether `instance` came from `toInstance` (and so has Compute's status). */
export function isGceInstanceView(instance: Instance | undefined): instance is GceInstanceView {
  return typeof (instance as Partial<GceInstanceView> | undefined)?.status === 'string';
}
