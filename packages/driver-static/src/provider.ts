import {
  LockUnavailableError,
  Node,
  type ConfigPool,
  type Logger,
  type NodepoolZooKeeper,
  type NodeRequest,
  type NodeRequestHandler,
  type Provider,
  type ProviderContext,
} from '@nodepool/core';
import type { StaticNodeConfig, StaticPoolConfig, StaticProviderConfig } from './config.js';
import { checkHost, isHostAlive, resolveAddress } from './host-check.js';
import { assignSlots, hostIdentity, nodeIdentity } from './node-slots.js';
import { RegistrationLock } from './registration-lock.js';
import { StaticRequestHandler } from './request-handler.js';

/** What `launcher` says on every node this driver registers. */
export const STATIC_LAUNCHER = 'static driver';

/** Hosts checked at once during a sync (the original's thread pool is about as wide). */
const HOST_CONCURRENCY = 32;

/** A configured host with the pool it belongs to. */
interface PoolHost {
  readonly host: StaticNodeConfig;
  readonly pool: StaticPoolConfig;
}

/** What a check of a host yields for its nodes. */
interface HostFacts {
  readonly hostKeys: readonly string[];
  readonly publicIpv4: string | null;
  readonly publicIpv6: string | null;
}

/**
 * The runtime of a static provider: its configured hosts, registered in ZooKeeper as `ready`
 * nodes, one per `max-parallel-jobs` slot, and kept in line with the configuration.
 *
 * Nodes are never launched. The launcher hands out the ready nodes (after a liveness check),
 * Zuul uses them, and the deleted-node worker reaps them once used; this provider then registers
 * the host's slot again. A reload that changes the provider makes a new StaticProvider, whose
 * `start()` updates, adds and removes registrations to match.
 */
export class StaticProvider implements Provider {
  readonly name: string;
  private readonly zk: NodepoolZooKeeper;
  private readonly log: Logger;
  private readonly abort = new AbortController();
  private readonly background = new Set<Promise<void>>();
  /** As the original's register lock, so that a sync and a re-registration never both fill a slot; but per host. */
  private readonly registering = new RegistrationLock();
  /**
   * The node this provider last knew in each slot (`slotKey`), from its syncs and its own
   * registrations, both made under `registering`. A slot whose deleted node is still the one
   * known there was filled by nobody since, so it is registered again without a read.
   */
  private readonly slotHolders = new Map<string, string>();

  constructor(
    private readonly config: StaticProviderConfig,
    context: ProviderContext,
  ) {
    this.name = config.name;
    this.zk = context.zk;
    this.log = context.log.child({ logger: 'nodepool.driver.static.StaticProvider' });
  }

  /**
   * Registers every configured host, updates registered ready nodes whose settings changed, and
   * deregisters ready nodes of hosts that left the configuration (or of slots that did). Hosts
   * are checked concurrently; one that fails its check is logged and retried on the next sync,
   * never fatal — like the original, nothing here stops the launcher from starting.
   */
  async start(): Promise<void> {
    try {
      await this.sync({ atStart: true });
    } catch (error) {
      this.log.error('could not sync the static hosts at start; retrying on the next cleanup', { error: describe(error) });
    }
  }

  async stop(): Promise<void> {
    this.abort.abort(new Error('the provider is stopping'));
    await Promise.allSettled([...this.background]);
  }

  getRequestHandler(pool: ConfigPool, request: NodeRequest): NodeRequestHandler {
    return new StaticRequestHandler(this, pool as StaticPoolConfig, request);
  }

  /**
   * A static host has nothing to delete: the record goes, the host stays. Its slot is free from
   * now on (the node is `deleting`), so it is registered again at once, in the background: the
   * next job's node is on its way while the launcher removes this one.
   */
  async cleanupNode(node: Node): Promise<void> {
    void this.replace(node);
  }

  /**
   * The original's periodic re-sync: registers free slots (a host unreachable so far is tried
   * again here), deregisters surplus ones.
   */
  async cleanupLeakedResources(): Promise<void> {
    if (this.stopping) return;
    await this.sync({ atStart: false });
  }

  /**
   * A used node of ours was deleted: register its host's slot again, if it is still configured
   * and `cleanupNode` has not done so already. The work runs in the background; the promise
   * (which never rejects) says when it is done.
   */
  nodeDeletedNotification(node: Node): Promise<void> {
    return this.replace(node);
  }

  // ---- local implementation below ----------------------------------------------------------

  /** Registers a leaving node's slot again, in the background (see reregister). */
  private replace(node: Node): Promise<void> {
    if (this.stopping) return Promise.resolve();
    const work = this.reregister(node)
      .catch((error: unknown) => {
        this.log.warn('could not register a static node again', { node: node.id, host: node.hostname, error: describe(error) });
      })
      .finally(() => this.background.delete(work));
    this.background.add(work);
    return work;
  }

  /**
   * The liveness check of a ready node about to be handed out (called with the node locked).
   * When the host does not answer, its ready nodes are deregistered, so requests stop trying
   * them; the periodic sync registers them again once it answers.
   */
  async checkNodeLiveness(node: Node): Promise<boolean> {
    const entry = this.hostOf(node);
    if (!entry) return false;
    if (await isHostAlive(entry.host, this.abort.signal)) return true;
    if (this.stopping) return false;
    this.log.warn('static host does not answer; deregistering its ready nodes', {
      host: entry.host.name,
      port: entry.host.connectionPort,
      timeout: entry.host.timeout,
    });
    // Differs from Nodepool: the original tries to lock the node its caller already holds,
    // fails, and so leaves it `ready` to be checked (and waited for) again by every request.
    await this.deregister(node, 'its host does not answer', { lockedByCaller: true });
    for (const other of await this.readyNodesOf(entry.host)) {
      if (other.id !== node.id) await this.deregister(other, 'its host does not answer');
    }
    return false;
  }

  private get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Every configured host, in configuration order. */
  private configuredHosts(): PoolHost[] {
    return [...this.config.pools.values()].flatMap((pool) => pool.nodes.map((host) => ({ host, pool })));
  }

  /** The configured host a node stands for. */
  private hostOf(node: Node): PoolHost | undefined {
    const identity = nodeIdentity(node);
    return this.configuredHosts().find(({ host }) => hostIdentity(host) === identity);
  }

  /**
   * One pass over the configuration, as the original's start and periodic cleanup: free slots
   * are registered, surplus ones and removed hosts deregistered; at start, registered ready
   * nodes also get changed settings and fresh host keys.
   */
  private async sync({ atStart }: { atStart: boolean }): Promise<void> {
    await this.registering.exclusive(async () => {
      const hosts = this.configuredHosts();
      const slots = assignSlots(
        hosts.map(({ host }) => host),
        await this.registeredNodes(),
      );
      this.slotHolders.clear();
      for (const [identity, table] of slots) {
        table.forEach((node, slot) => {
          if (node) this.slotHolders.set(slotKey(identity, slot), node.id);
        });
      }
      await forEachConcurrently(hosts, HOST_CONCURRENCY, async (entry) => {
        try {
          await this.syncHost(entry, slots.get(hostIdentity(entry.host))!, atStart);
        } catch (error) {
          this.log.warn('could not sync static host', { host: entry.host.name, error: describe(error) });
        }
      });
      // Differs from Nodepool: the original deregisters removed hosts only at start, so a ready
      // node that was locked just then stayed registered for good.
      const configured = new Set(hosts.map(({ host }) => hostIdentity(host)));
      for (const [identity, table] of slots) {
        if (configured.has(identity)) continue;
        for (const node of table) if (node) await this.deregister(node, 'its host is no longer configured');
      }
    });
  }

  private async syncHost({ host, pool }: PoolHost, table: (Node | null)[], atStart: boolean): Promise<void> {
    const max = host.maxParallelJobs;
    for (const node of table.slice(max)) if (node) await this.deregister(node, 'max-parallel-jobs was lowered');
    const free = table.slice(0, max).flatMap((node, slot) => (node ? [] : [slot]));
    // Settings only change with the configuration, which makes a new provider: checked at start.
    const registered = atStart ? table.slice(0, max).filter((node): node is Node => isFree(node)) : [];
    if (free.length === 0 && registered.length === 0) return;
    if (this.stopping) return;

    let facts: HostFacts;
    try {
      facts = await this.checkHostFacts(host);
    } catch (error) {
      if (this.stopping) return;
      this.log.warn('static host failed its check; trying again on the next sync', { host: host.name, port: host.connectionPort, error: describe(error) });
      // As the original: a host that fails its check at start keeps no ready nodes.
      for (const node of registered) await this.deregister(node, 'its host failed its check');
      return;
    }
    for (const slot of free) await this.register(host, pool, slot, facts);
    for (const node of registered) await this.update(node, host, pool, facts);
  }

  /** Host keys (scanned or configured, see checkHost) and the address for `public_ipv4/6`. */
  private async checkHostFacts(host: StaticNodeConfig): Promise<HostFacts> {
    const hostKeys = await checkHost(host, this.abort.signal);
    return { hostKeys, ...(await resolveAddress(host.name)) };
  }

  /**
   * Registers the host's slot again once its node is leaving (the original's
   * `nodeDeletedNotification`, which waits until it is gone). This is on the path of every
   * request waiting for a slot: at most one read of the host's nodes and one write, and other
   * hosts' slots are not waited for. Called twice for one node (from cleanupNode and after the
   * deletion), the second finds the slot filled.
   */
  private async reregister(deleted: Node): Promise<void> {
    const entry = this.hostOf(deleted);
    if (!entry) return;
    const { host, pool } = entry;
    // A node beyond max-parallel-jobs (in use while the limit was lowered) is not replaced.
    if (deleted.slot !== null && deleted.slot >= host.maxParallelJobs) return;
    // The check runs outside the registration lock: an unreachable host must not hold up others.
    let facts: HostFacts;
    try {
      facts = await this.checkHostFacts(host);
    } catch (error) {
      if (this.stopping) return;
      this.log.warn('static host failed its check; trying again on the next sync', { host: host.name, port: host.connectionPort, error: describe(error) });
      return;
    }
    const identity = hostIdentity(host);
    await this.registering.forHost(identity, async () => {
      if (this.stopping) return;
      const known = deleted.slot === null ? undefined : this.slotHolders.get(slotKey(identity, deleted.slot));
      // A sync may have filled the slot meanwhile; when unsure (a slot this provider has not
      // seen, a node without a slot number), ZooKeeper says.
      const slot = known === deleted.id ? deleted.slot : known === undefined ? await this.freeSlot(host, deleted.slot) : undefined;
      if (slot !== undefined && slot !== null) await this.register(host, pool, slot, facts, { again: true });
    });
  }

  /**
   * `wanted` if that slot of the host is free, or for a legacy node without a slot number the
   * first free one; undefined when there is none.
   */
  private async freeSlot(host: StaticNodeConfig, wanted: number | null): Promise<number | undefined> {
    const identity = hostIdentity(host);
    const nodes = await this.registeredNodes(identity);
    const table = assignSlots([host], nodes).get(identity)!;
    const slot = wanted ?? table.indexOf(null);
    return slot >= 0 && table[slot] === null ? slot : undefined;
  }

  /**
   * Every node of this provider (or of one host, by its identity), read from ZooKeeper rather
   * than the cache (as the original), which may not show a node registered a moment ago yet.
   * Nodes the cache knows to be another provider's or host's are not read: a node never
   * changes either.
   */
  private async registeredNodes(identity?: string): Promise<Node[]> {
    const ours = (node: Node): boolean => node.provider === this.name && (identity === undefined || nodeIdentity(node) === identity);
    const cache = await this.zk.nodeCache();
    const ids = (await this.zk.getNodeIds()).filter((id) => {
      const cached = cache.get(id);
      return cached === undefined || ours(cached);
    });
    const nodes = await Promise.all(ids.map((id) => this.zk.getNode(id)));
    return nodes.filter((node): node is Node => node !== undefined && ours(node)).sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Ready, unallocated nodes of a host, from the cache (each is re-read under its lock before any change). */
  private async readyNodesOf(host: StaticNodeConfig): Promise<Node[]> {
    const identity = hostIdentity(host);
    const cache = await this.zk.nodeCache();
    return [...cache.values()].filter((node) => node.provider === this.name && nodeIdentity(node) === identity && isFree(node));
  }

  /** `again`: a slot given back after a job, routine enough to log at debug (as the original). */
  private async register(host: StaticNodeConfig, pool: StaticPoolConfig, slot: number, facts: HostFacts, { again = false } = {}): Promise<void> {
    const node = new Node();
    node.setState('ready');
    node.createdTime = node.stateTime;
    node.provider = this.name;
    node.launcher = STATIC_LAUNCHER;
    node.slot = slot;
    applyHostSettings(node, host, pool, facts);
    await this.zk.storeNode(node);
    this.slotHolders.set(slotKey(hostIdentity(host), slot), node.id);
    this.log[again ? 'debug' : 'info']('registered static node', { node: node.id, host: host.name, slot });
  }

  /** Rewrites a ready node whose settings no longer match its host's (lock, re-read, write). */
  private async update(node: Node, host: StaticNodeConfig, pool: StaticPoolConfig, facts: HostFacts): Promise<void> {
    if (settingsOf(node) === settingsOf(applyHostSettings(node.clone(), host, pool, facts))) return;
    try {
      await this.zk.lockNode(node.id);
    } catch (error) {
      if (!(error instanceof LockUnavailableError)) throw error;
      this.log.warn('could not lock static node for update', { node: node.id, host: host.name });
      return;
    }
    try {
      const fresh = await this.zk.getNode(node.id);
      if (!fresh || !isFree(fresh)) return;
      applyHostSettings(fresh, host, pool, facts);
      await this.zk.storeNode(fresh);
      this.log.info('updated static node', { node: node.id, host: host.name });
    } finally {
      await this.zk.unlockNode(node.id);
    }
  }

  /**
   * Marks a ready, unallocated node `deleting` (lock non-blocking, re-read, write, unlock); the
   * launcher's deleted-node worker then removes it. A node that is locked (in use, being handed
   * out) or no longer ready is left alone: it comes back through the reaper when Zuul is done,
   * and is then not registered again.
   */
  private async deregister(node: Node, reason: string, options: { lockedByCaller?: boolean } = {}): Promise<void> {
    const lockedByCaller = options.lockedByCaller ?? false;
    if (!lockedByCaller) {
      try {
        await this.zk.lockNode(node.id);
      } catch (error) {
        if (error instanceof LockUnavailableError) return;
        throw error;
      }
    }
    try {
      const fresh = await this.zk.getNode(node.id);
      if (!fresh || !isFree(fresh)) return;
      fresh.setState('deleting');
      await this.zk.storeNode(fresh);
      this.log.info('deregistered static node', { node: node.id, host: node.hostname, slot: node.slot, reason });
    } catch (error) {
      this.log.warn('could not deregister static node', { node: node.id, host: node.hostname, error: describe(error) });
    } finally {
      if (!lockedByCaller) await this.zk.unlockNode(node.id).catch(() => undefined);
    }
  }
}

function slotKey(identity: string, slot: number): string {
  return `${identity}#${slot}`;
}

/** A node that may be handed out, updated or deregistered: ready and reserved for nobody. */
function isFree(node: Node | null): boolean {
  return node !== null && node.state === 'ready' && node.allocatedTo === null;
}

/** Writes a host's settings onto a node, as the original's registration does. */
function applyHostSettings(node: Node, host: StaticNodeConfig, pool: StaticPoolConfig, facts: HostFacts): Node {
  node.pool = pool.name;
  node.type = [...host.labels];
  node.externalId = host.name;
  node.hostname = host.name;
  node.interfaceIp = host.name;
  node.publicIpv4 = facts.publicIpv4;
  node.publicIpv6 = facts.publicIpv6;
  node.username = host.username;
  node.connectionPort = host.connectionPort;
  node.connectionType = host.connectionType;
  node.pythonPath = host.pythonPath;
  node.shellType = host.shellType;
  node.hostKeys = [...facts.hostKeys];
  node.attributes = pool.nodeAttributes ? structuredClone({ ...pool.nodeAttributes }) : null;
  return node;
}

/**
 * The settings compared to decide whether a registered node needs rewriting. The original
 * compares labels, user, port, connection and shell type, python path and host keys.
 */
function settingsOf(node: Node): string {
  // Differs from Nodepool: the pool and its node-attributes are compared too, so a host moved
  // to another pool, or new attributes, reach nodes that are already registered.
  return stableJson([
    node.type,
    node.username,
    node.connectionPort,
    node.connectionType,
    node.shellType,
    node.pythonPath,
    node.hostKeys,
    node.pool,
    node.attributes,
  ]);
}

/** JSON with object keys sorted, so attributes read back from ZooKeeper compare equal. */
function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) =>
    item !== null && typeof item === 'object' && !Array.isArray(item)
      ? Object.fromEntries(Object.entries(item).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : item,
  );
}

async function forEachConcurrently<T>(items: readonly T[], limit: number, task: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await task(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
