import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { waitFor } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { LauncherHistory, Node, NodeRequest, NodepoolZooKeeper, type NodeCache, type NodeState, type RequestCache, type RequestState } from '@nodepool/core';
import { FakeClock } from './fake-clock.js';

/** When the fixtures' fake clock starts (epoch ms). */
export const STARTED_AT = Date.parse('2026-01-05T09:00:00Z');

export interface HistoryFixture {
  /** The launcher's caches, as a launcher keeps them. */
  nodes: NodeCache;
  requests: RequestCache;
  /** Another client (Zuul, another launcher): what it writes, the caches read back. */
  peer: NodepoolZooKeeper;
  clock: FakeClock;
  /** A history over the caches, on the fake clock (not started). */
  history: LauncherHistory;
  /** Stores `node` in `state` as the peer, and waits for the caches to show it. */
  setNode(node: Node, state: NodeState, time: number): Promise<Node>;
  /** Stores `request` in `state` as the peer, and waits for the caches to show it. */
  setRequest(request: NodeRequest, state: RequestState, time: number, priority?: string): Promise<NodeRequest>;
}

/** Caches of a fresh chroot of a real ZooKeeper, a peer writing to it, and a history over them. */
export async function historyFixture(t: ExecutionContext, connectString: string, options: { capacity?: number } = {}): Promise<HistoryFixture> {
  const chroot = `/history-${randomUUID()}`;
  const connect = async (): Promise<NodepoolZooKeeper> => {
    const client = new ZooKeeperClient({ servers: connectString, chroot, sessionTimeoutMs: 10_000 });
    t.teardown(() => client.close());
    await client.connect();
    await client.mkdirp('/');
    const zk = new NodepoolZooKeeper(client);
    t.teardown(() => zk.stop());
    return zk;
  };
  const [own, peer] = [await connect(), await connect()];
  const [nodes, requests] = [await own.nodeCache(), await own.requestCache()];
  const clock = new FakeClock(STARTED_AT);
  const history = new LauncherHistory({ nodes, requests, clock, capacity: options.capacity });
  t.teardown(() => history.stop());
  return {
    nodes,
    requests,
    peer,
    clock,
    history,
    async setNode(node, state, time) {
      node.setState(state, time);
      await peer.storeNode(node);
      await waitFor(() => nodes.get(node.id)?.version === node.version, { timeoutMs: 20_000, message: `node ${node.id} ${state} in the cache` });
      return node;
    },
    async setRequest(request, state, time, priority) {
      request.setState(state, time);
      await peer.storeNodeRequest(request, { priority });
      await waitFor(() => requests.get(request.id)?.version === request.version, { timeoutMs: 20_000, message: `request ${request.id} ${state} in the cache` });
      return request;
    },
  };
}

/** A node of `provider` as a launcher creates it, created at `time`. */
export function launchedNode(provider: string, time: number): Node {
  return Object.assign(new Node(), { provider, pool: 'main', type: ['small'], createdTime: time });
}

/** A request as Zuul submits it at `time` (epoch s). */
export function zuulRequest(time: number, requestor = 'zuul-scheduler'): NodeRequest {
  return Object.assign(new NodeRequest(), { nodeTypes: ['small'], requestor, createdTime: time });
}
