import { QuotaInformation, type Instance, type Node } from '@nodepool/core';

/** What one metastatic node uses: one instance, as the original counts it (`{cores: 0, instances: 1, ram: 0}`). */
export function metastaticQuota(): QuotaInformation {
  return new QuotaInformation({ cores: 0, instances: 1, ram: 0 });
}

/** `driver_data` of a metastatic node, with the original's keys: how a restart finds its slot. */
export interface MetastaticDriverData {
  readonly metadata: Readonly<Record<string, string>>;
  readonly backing_node: string;
  readonly slot: number;
  readonly node: string;
}

/**
 * A metastatic node as core sees it once it has a slot: it is reached as its backing node is
 * (addresses, zone, region, connection settings and host keys are the backing node's, as
 * Nodepool 9.0.0 copies them), and its `driver_data` names the backing node and slot.
 */
export function metastaticInstance(backing: Node, slot: number, nodeId: string, metadata: Readonly<Record<string, string>>): Instance {
  const driverData: MetastaticDriverData = { metadata, backing_node: backing.id, slot, node: nodeId };
  return {
    externalId: nodeId,
    ready: true,
    metadata,
    interfaceIp: backing.interfaceIp,
    publicIpv4: backing.publicIpv4,
    publicIpv6: backing.publicIpv6,
    privateIpv4: backing.privateIpv4,
    az: backing.az,
    region: backing.region,
    username: backing.username,
    pythonPath: backing.pythonPath,
    shellType: backing.shellType,
    connectionPort: backing.connectionPort,
    connectionType: backing.connectionType,
    hostKeys: backing.hostKeys,
    driverData,
    slot,
    getQuotaInformation: metastaticQuota,
  };
}
