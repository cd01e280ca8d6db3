import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { KazooLock, NoNodeError, type WatchListener, type ZooKeeperClient } from '@nodepool/zookeeper';
import {
  NODE_ROOT,
  REQUEST_ROOT,
  epochSeconds,
  nodeLockPath,
  nodePath,
  parseRecord,
  requestLockPath,
  requestPath,
  type NodeRequestRecord,
} from '@nodepool/zuul-client';

/** What the scripted launcher does with a request. */
export type ScriptedDecision =
  /** Accept it (`pending`), create one `ready` node per label, then write `fulfilled`. */
  | 'fulfill'
  /** Decline it as the only pool there is: `failed`, with our pool ID in `declined_by`. */
  | 'decline'
  /** Leave it alone, `requested` and unlocked. */
  | 'ignore';

/** A request as the scripted launcher first saw it. */
export interface ScriptedRequest {
  id: string;
  record: NodeRequestRecord;
}

/** How the scripted launcher finished with one request. */
export interface ScriptedOutcome {
  requestId: string;
  /**
   * `fulfilled`, `failed` (declined), `ignored`; `skipped` when it was not ours to take (not
   * `requested`, or locked by someone else); `vanished` when it was deleted while we worked on it.
   */
  result: 'fulfilled' | 'failed' | 'ignored' | 'skipped' | 'vanished';
  /** Nodes created for it, in `node_types` order. */
  nodeIds: string[];
}

export interface ScriptedLauncherOptions {
  /** The pool worker ID: written to `declined_by` and the nodes' `launcher`. Default: a fresh one. */
  poolId?: string;
  /** Default `scripted`. */
  provider?: string;
  /** Default `main`. */
  pool?: string;
  /**
   * Called once per new request, before it is locked. May be async: a test holds a request
   * back simply by not resolving yet. Default: always `fulfill`.
   */
  decide?: (request: ScriptedRequest) => ScriptedDecision | Promise<ScriptedDecision>;
  /** Keys added to (or overriding) each node record, e.g. an unknown key or another username. */
  nodeFields?: (label: string, index: number, request: ScriptedRequest) => Record<string, unknown>;
}

export interface ScriptedLauncherEvents {
  outcome: [ScriptedOutcome];
  /** Something unexpected failed while handling a request; also kept in `errors`. */
  failure: [Error];
}

/**
 * **A test double, not a launcher.** A few dozen lines of "launcher" that answer node requests
 * on the wire the way Nodepool does (protocol spec §5.5 and §12), so tests of Zuul-side code
 * ({@link ZuulClient}, `nodepool request`) have a counterpart that needs no cloud, no config
 * and no real launcher. It watches `/nodepool/requests`, locks a request under
 * `/nodepool/requests-lock/<id>` (kazoo recipe, non-blocking), writes `pending`, creates its
 * nodes (`init` → locked → `building` → `ready`), unlocks them, writes `fulfilled` with `nodes`
 * in label order and unlocks the request; or writes `failed` with `declined_by`.
 *
 * It registers no components, checks no quota, reuses no nodes, never deletes anything and
 * never looks at a request twice. Nodes it created stay behind; nothing reaps them.
 */
export class ScriptedLauncher extends EventEmitter<ScriptedLauncherEvents> {
  readonly poolId: string;
  /** Every outcome so far, in order. */
  readonly outcomes: ScriptedOutcome[] = [];
  /** Unexpected failures so far; a test should usually assert there are none. */
  readonly errors: Error[] = [];
  private readonly provider: string;
  private readonly pool: string;
  private readonly seen = new Set<string>();
  private readonly tasks = new Set<Promise<void>>();
  private scanning = false;
  private rescan = false;
  private stopped = false;
  private addresses = 0;
  private readonly onChildren: WatchListener = () => void this.scan();

  private constructor(
    private readonly zk: ZooKeeperClient,
    private readonly options: ScriptedLauncherOptions,
  ) {
    super();
    this.poolId = options.poolId ?? `scripted-launcher-PoolWorker.${options.provider ?? 'scripted'}-${options.pool ?? 'main'}-${randomUUID().replaceAll('-', '')}`;
    this.provider = options.provider ?? 'scripted';
    this.pool = options.pool ?? 'main';
  }

  /** Starts answering requests on `zk` (connected, with the chroot under test). */
  static async start(zk: ZooKeeperClient, options: ScriptedLauncherOptions = {}): Promise<ScriptedLauncher> {
    const launcher = new ScriptedLauncher(zk, options);
    await zk.mkdirp(REQUEST_ROOT);
    await launcher.scan();
    return launcher;
  }

  /** Resolves with the outcome for a request, now or once there is one. */
  outcome(requestId: string): Promise<ScriptedOutcome> {
    const known = this.outcomes.find((outcome) => outcome.requestId === requestId);
    if (known) return Promise.resolve(known);
    return new Promise((resolve) => {
      const listener = (outcome: ScriptedOutcome): void => {
        if (outcome.requestId !== requestId) return;
        this.off('outcome', listener);
        resolve(outcome);
      };
      this.on('outcome', listener);
    });
  }

  /**
   * Stops looking at new requests and waits for the ones in hand; a `decide` that never
   * resolves keeps this waiting. The ZooKeeper client stays open.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.zk.removeWatches(REQUEST_ROOT, 'children', this.onChildren).catch(() => undefined);
    await Promise.allSettled([...this.tasks]);
  }

  private async scan(): Promise<void> {
    if (this.stopped) return;
    if (this.scanning) {
      this.rescan = true;
      return;
    }
    this.scanning = true;
    try {
      do {
        this.rescan = false;
        const { children } = await this.zk.getChildren(REQUEST_ROOT, { watch: this.onChildren });
        for (const id of children.sort()) {
          if (this.seen.has(id) || this.stopped) continue;
          this.seen.add(id);
          const task: Promise<void> = this.handle(id)
            .catch((error: unknown) => this.fail(error))
            .finally(() => this.tasks.delete(task));
          this.tasks.add(task);
        }
      } while (this.rescan && !this.stopped);
    } catch (error) {
      if (!this.stopped) this.fail(error);
    } finally {
      this.scanning = false;
    }
  }

  private async handle(id: string): Promise<void> {
    const first = await this.readRequest(id);
    if (!first || first.state !== 'requested' || (first.declined_by ?? []).includes(this.poolId)) return this.finish(id, 'skipped');
    const request: ScriptedRequest = { id, record: first };
    const decision = (await this.options.decide?.(request)) ?? 'fulfill';
    if (decision === 'ignore') return this.finish(id, 'ignored');

    const lock = new KazooLock(this.zk, requestLockPath(id));
    if (!(await lock.acquire({ blocking: false }))) return this.finish(id, 'skipped');
    try {
      // Re-read under the lock, as every launcher must (spec §4.5).
      const record = await this.readRequest(id);
      if (!record) return this.finish(id, 'vanished');
      if (record.state !== 'requested') return this.finish(id, 'skipped');
      if (decision === 'decline') {
        const written = await this.writeRequest(id, record, { state: 'failed', declined_by: [...(record.declined_by ?? []), this.poolId] });
        return this.finish(id, written ? 'failed' : 'vanished');
      }
      if (!(await this.writeRequest(id, record, { state: 'pending' }))) return this.finish(id, 'vanished');
      const nodes: { id: string; lock: KazooLock }[] = [];
      try {
        for (const [index, label] of (record.node_types ?? []).entries()) nodes.push(await this.launchNode({ id, record }, label, index));
        // Fulfilment order (spec §5.5): unlock the nodes, write the request, unlock the request.
        for (const node of nodes) await node.lock.release();
        const nodeIds = nodes.map((node) => node.id);
        const written = await this.writeRequest(id, record, { state: 'fulfilled', nodes: nodeIds });
        return this.finish(id, written ? 'fulfilled' : 'vanished', nodeIds);
      } finally {
        for (const node of nodes) await node.lock.release();
      }
    } finally {
      await lock.release();
    }
  }

  /** Creates one node for the request and brings it to `ready`; returns it still locked. */
  private async launchNode(request: ScriptedRequest, label: string, index: number): Promise<{ id: string; lock: KazooLock }> {
    const created = epochSeconds();
    const extra = this.options.nodeFields?.(label, index, request) ?? {};
    const record = (state: string, fields: Record<string, unknown> = {}): string =>
      JSON.stringify({ ...this.nodeRecord(request, label, created), ...fields, state, state_time: epochSeconds(), ...extra });
    const path = await this.zk.create(`${NODE_ROOT}/`, {
      data: JSON.stringify({ ...this.nodeRecord(request, label, created), state: 'init', state_time: created, ...extra }),
      mode: 'persistent-sequential',
      makeParents: true,
    });
    const id = path.slice(NODE_ROOT.length + 1);
    const lock = new KazooLock(this.zk, nodeLockPath(id), { ensurePath: 'directory' });
    if (!(await lock.acquire({ blocking: false }))) throw new Error(`could not lock the node ${id} just created`);
    try {
      await this.zk.setData(nodePath(id), record('building'));
      const address = `192.0.2.${(this.addresses++ % 254) + 1}`;
      await this.zk.setData(
        nodePath(id),
        record('ready', {
          external_id: `scripted-${id}`,
          interface_ip: address,
          public_ipv4: address,
        }),
      );
    } catch (error) {
      await lock.release();
      throw error;
    }
    return { id, lock };
  }

  /** All 36 keys of spec §6.2, as a cloud driver's node looks right after creation. */
  private nodeRecord(request: ScriptedRequest, label: string, created: number): Record<string, unknown> {
    return {
      state: 'init',
      state_time: created,
      cloud: this.provider,
      provider: this.provider,
      pool: this.pool,
      type: [label],
      allocated_to: request.id,
      az: null,
      region: null,
      public_ipv4: null,
      private_ipv4: null,
      public_ipv6: null,
      host_id: null,
      interface_ip: null,
      connection_port: 22,
      ssh_port: 22,
      image_id: null,
      launcher: this.poolId,
      created_time: created,
      external_id: null,
      hostname: null,
      comment: null,
      user_data: null,
      hold_job: null,
      host_keys: [],
      username: 'zuul',
      connection_type: 'ssh',
      shell_type: null,
      hold_expiration: null,
      resources: { cores: 1, instances: 1, ram: 1024 },
      slot: null,
      attributes: null,
      python_path: 'auto',
      tenant_name: request.record.tenant_name ?? null,
      driver_data: null,
      requestor: request.record.requestor ?? null,
    };
  }

  private async readRequest(id: string): Promise<NodeRequestRecord | undefined> {
    try {
      return parseRecord<NodeRequestRecord>((await this.zk.getData(requestPath(id))).data, `request ${id}`);
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
  }

  /**
   * Writes the request as Nodepool serialises it: the 13 keys of spec §5.3 and nothing else,
   * `requestor_data` verbatim. Resolves false when the request is gone (it is never re-created).
   */
  private async writeRequest(id: string, record: NodeRequestRecord, changes: { state: string; declined_by?: string[]; nodes?: string[] }): Promise<boolean> {
    const document = {
      state: changes.state,
      state_time: epochSeconds(),
      declined_by: changes.declined_by ?? record.declined_by ?? [],
      node_types: record.node_types ?? [],
      nodes: changes.nodes ?? record.nodes ?? [],
      reuse: record.reuse ?? true,
      requestor: record.requestor ?? null,
      requestor_data: record.requestor_data ?? null,
      provider: record.provider ?? null,
      relative_priority: record.relative_priority ?? 0,
      event_id: record.event_id ?? null,
      created_time: record.created_time ?? null,
      tenant_name: record.tenant_name ?? null,
    };
    try {
      await this.zk.setData(requestPath(id), JSON.stringify(document));
      return true;
    } catch (error) {
      if (error instanceof NoNodeError) return false;
      throw error;
    }
  }

  private finish(requestId: string, result: ScriptedOutcome['result'], nodeIds: string[] = []): void {
    const outcome = { requestId, result, nodeIds };
    this.outcomes.push(outcome);
    this.emit('outcome', outcome);
  }

  private fail(error: unknown): void {
    const failure = error instanceof Error ? error : new Error(String(error));
    this.errors.push(failure);
    this.emit('failure', failure);
  }
}
