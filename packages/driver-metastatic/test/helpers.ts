import { getLogger, Node, NodeRequest, type NodepoolZooKeeper } from '@nodepool/core';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { BackingNodes, type MetastaticLabelConfig } from '@nodepool/driver-metastatic';

/** A clock the test moves by hand (ms). */
export class FakeClock {
  constructor(public time = 1_700_000_000_000) {}
  readonly now = (): number => this.time;
  advance(ms: number): void {
    this.time += ms;
  }
}

/** A metastatic label `small` on backing label `large`. */
export function smallLabel(overrides: Partial<MetastaticLabelConfig> = {}): MetastaticLabelConfig {
  return {
    name: 'small',
    backingLabel: 'large',
    maxParallelJobs: 2,
    graceTime: 600,
    hostKeyChecking: false,
    cloudImage: 'unused',
    username: 'unknown',
    pythonPath: 'unknown',
    shellType: 'unknown',
    connectionType: 'unknown',
    ...overrides,
  };
}

/** The bookkeeping of provider `meta` on `store`, with a fake clock. */
export function backingNodes(store: NodepoolZooKeeper, clock: FakeClock, labels: MetastaticLabelConfig[] = [smallLabel()]): BackingNodes {
  return new BackingNodes({
    providerName: 'meta',
    zk: store,
    label: (name) => labels.find((label) => label.name === name),
    now: clock.now,
    log: getLogger('test.driver-metastatic'),
    lockTimeoutMs: 5_000,
  });
}

/**
 * Fulfils request `requestId` as a launcher serving label `large` would: a ready node of
 * provider `sim` allocated to it, then the request `fulfilled` naming it. Returns the node.
 */
export async function fulfil(store: NodepoolZooKeeper, requestId: string, fields: Partial<Node> = {}): Promise<Node> {
  const node = Object.assign(new Node(), {
    type: ['large'],
    provider: 'sim',
    pool: 'main',
    allocatedTo: requestId,
    interfaceIp: '192.0.2.10',
    publicIpv4: '192.0.2.10',
    privateIpv4: '10.0.0.10',
    az: 'sim-a',
    region: 'sim',
    cloud: 'sim',
    externalId: 'i-backing',
    username: 'zuul-worker',
    pythonPath: '/usr/bin/python3',
    connectionType: 'ssh',
    connectionPort: 2222,
    hostKeys: ['ssh-ed25519 AAAAbacking'],
    ...fields,
  });
  node.setState('ready');
  await store.storeNode(node);
  const request = await store.getNodeRequest(requestId);
  if (!request) throw new Error(`request ${requestId} is gone`);
  request.nodes = [node.id];
  request.setState('fulfilled');
  await store.storeNodeRequest(request);
  return node;
}

/** A metastatic node of provider `meta` on `backingId`, as the kit writes it once ready. */
export async function metastaticNode(store: NodepoolZooKeeper, backingId: string, slot: number, state: Node['state'] = 'in-use'): Promise<Node> {
  const node = Object.assign(new Node(), { type: ['small'], provider: 'meta', pool: 'main' });
  node.setState(state);
  await store.storeNode(node);
  node.driverData = { metadata: { nodepool_node_id: node.id, nodepool_pool_name: 'main', nodepool_provider_name: 'meta' }, backing_node: backingId, slot, node: node.id };
  node.slot = slot;
  node.externalId = node.id;
  await store.storeNode(node);
  return node;
}

/** The request's raw record and whether its znode is ephemeral. */
export async function rawRequest(client: ZooKeeperClient, id: string): Promise<{ json: Record<string, unknown>; ephemeral: boolean }> {
  const { data, stat } = await client.getData(`/nodepool/requests/${id}`);
  return { json: JSON.parse(data.toString()) as Record<string, unknown>, ephemeral: stat.ephemeralOwner !== 0n };
}

/** Lock contenders of a node with their data and whether they are ephemeral, holder first. */
export async function lockContenders(client: ZooKeeperClient, store: NodepoolZooKeeper, nodeId: string): Promise<{ identifier: string; ephemeral: boolean }[]> {
  const contenders = [];
  for (const name of await store.nodeLockContenders(nodeId)) {
    const { data, stat } = await client.getData(`/nodepool/nodes/${nodeId}/lock/${name}`);
    contenders.push({ identifier: data.toString(), ephemeral: stat.ephemeralOwner !== 0n });
  }
  return contenders;
}

export { NodeRequest };
