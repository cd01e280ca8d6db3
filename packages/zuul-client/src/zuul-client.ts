import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { isTransientError, KazooLock, LockTimeoutError, NoNodeError, type WatchListener, type ZooKeeperClient } from '@nodepool/zookeeper';
import { AcceptNodesError, NodeRequestGoneError, NodeRequestTimeoutError } from './errors.js';
import { NodeSet, type AcceptedNode } from './node-set.js';
import {
  REQUEST_ROOT,
  epochSeconds,
  nodeLockPath,
  nodePath,
  parseRecord,
  requestPath,
  zuulNodeDocument,
  type NodeRecord,
  type NodeRequestRecord,
  type ZuulRequestDocument,
} from './records.js';

export interface ZuulClientOptions {
  /** Zuul's system ID (32 lowercase hex): `requestor` of requests, `zuul_system` of nodes. Random by default. */
  systemId?: string;
  /** Tenant written into requests unless a request names its own. Default null. */
  tenant?: string | null;
  /** Pipeline written into `requestor_data` unless a request names its own. Default `check`. */
  pipeline?: string;
}

export interface RequestNodesOptions {
  /**
   * The precedence prefix: Zuul uses `100` (high), `200` (normal, the default), `300` (low),
   * one less for children of a paused job. Numbers are zero-padded to three digits.
   */
  priority?: string | number;
  /** Secondary ordering key, lower first. Default 0. */
  relativePriority?: number;
  /** Preferred provider. Default null. */
  provider?: string | null;
  tenant?: string | null;
  pipeline?: string;
  /** Default `zuul-client`. */
  jobName?: string;
  /** Zuul's event ID (uuid4 hex, random by default); null as for a request made without an event. */
  eventId?: string | null;
  /** Default: a random uuid4 hex. */
  buildSetUuid?: string;
  /** Default: a random uuid4 hex. */
  jobUuid?: string;
  /** Zuul's tracing span info; opaque. Default null. */
  spanInfo?: unknown;
}

/** A request this client created. */
export interface SubmittedRequest {
  /** `<PPP>-<seq10>`, e.g. `200-0000004711`. */
  readonly id: string;
  readonly path: string;
  readonly priority: string;
  readonly labels: readonly string[];
  /** The creation document exactly as written. */
  readonly document: ZuulRequestDocument;
  /** `Date.now()` just before the create, for latencies. */
  readonly submittedAt: number;
}

/** A request, by ID or as returned by `requestNodes`. */
export type RequestRef = string | { readonly id: string };

export interface WaitForRequestOptions {
  /** Give up with NodeRequestTimeoutError after this long. Default: wait forever. */
  timeoutMs?: number;
  /** Stop waiting (rejects with the signal's reason). The request is left as it is. */
  signal?: AbortSignal;
}

export interface AcceptNodesOptions {
  /** How long to wait for each node lock. Default 30 000 ms, as Zuul's executor. */
  lockTimeoutMs?: number;
}

export interface UseNodesOptions {
  /** Zuul's canonical project name, written to `user_data.project_name`. */
  projectName: string;
}

export interface HoldNodesOptions {
  /** Zuul writes `"<tenant> <project> <job> <ref_filter>"` of the autohold request. */
  holdJob: string;
  /** Zuul writes the autohold reason. */
  comment: string;
  /** The autohold's `node_expiration` in seconds; written only when non-zero. */
  expirationSeconds?: number;
}

/** What `returnNodes` did; writes that failed are listed, as Zuul logs and carries on. */
export interface ReturnNodesResult {
  /** Nodes written as `used`. */
  used: string[];
  errors: { nodeId: string; error: Error }[];
}

export interface RunJobOptions extends RequestNodesOptions {
  /** Written to the nodes' `user_data.project_name`. Default `example.org/zuul-client`. */
  projectName?: string;
  /** How long the "job" keeps the nodes in use. Default 0. */
  durationMs?: number;
  /** Hold the nodes at the end (autohold) instead of returning them as used. */
  hold?: HoldNodesOptions;
  /** Give up waiting for the request after this long: it is then deleted and the error thrown. */
  timeoutMs?: number;
  /** Aborts the wait (the request is deleted) or cuts the job short (the nodes are returned). */
  signal?: AbortSignal;
}

/** Build results as Zuul names them, for the two ways a job can end here. */
export type JobResultName = 'SUCCESS' | 'NODE_FAILURE';

export interface JobResult {
  result: JobResultName;
  requestId: string;
  labels: string[];
  /** The nodes the request was fulfilled with (empty when it failed). */
  nodeIds: string[];
  /** `declined_by` of the completed request. */
  declinedBy: string[];
  /** Why the result is NODE_FAILURE. */
  error?: Error;
  timings: JobTimings;
}

/** Milliseconds since the epoch, and the request latency Zuul reports. */
export interface JobTimings {
  submittedAt: number;
  /** When the request was seen `fulfilled` or `failed`. */
  completedAt: number;
  /** `completedAt − submittedAt`: request → fulfilled (or failed) latency. */
  latencyMs: number;
  /** When the nodes were written `in-use`. */
  startedAt?: number;
  /** When the nodes were returned (or held) and unlocked. */
  finishedAt?: number;
}

const SYSTEM_ID = /^[0-9a-f]{32}$/;

/**
 * Behaves toward ZooKeeper exactly as Zuul does (scheduler and executor, protocol spec §5.6,
 * §6.3, §7): same paths, documents, locks and write styles, in the same order. For end-to-end
 * tests of a launcher (ours or the original) and for operators who want nodes by hand.
 *
 * The ZooKeeper client is the caller's: it must be connected with the launchers' chroot, and
 * its session carries the node locks (closing it releases them, as a crashed Zuul would).
 *
 * Local conveniences that never change what is written: errors instead of log lines, a
 * `waitForRequest` that gives up when the request vanishes, and `runJob` for the whole cycle.
 */
export class ZuulClient {
  /** Zuul's system ID: `requestor` of our requests, `user_data.zuul_system` of nodes in use. */
  readonly systemId: string;
  private readonly tenant: string | null;
  private readonly pipeline: string;

  constructor(
    private readonly zk: ZooKeeperClient,
    options: ZuulClientOptions = {},
  ) {
    this.systemId = options.systemId ?? randomHex();
    if (!SYSTEM_ID.test(this.systemId)) throw new TypeError(`a Zuul system ID is 32 lowercase hex characters, not ${JSON.stringify(this.systemId)}`);
    this.tenant = options.tenant ?? null;
    this.pipeline = options.pipeline ?? 'check';
  }

  /**
   * Submits a request as Zuul's scheduler does: the creation document of spec §5.3 (ten keys,
   * float-second timestamps), created persistent and sequential at `/nodepool/requests/<PPP>-`,
   * missing parents included. A lost connection is waited out, and the request is created once:
   * a creation whose reply was lost is found again, not repeated.
   */
  async requestNodes(labels: readonly string[], options: RequestNodesOptions = {}): Promise<SubmittedRequest> {
    // Zuul fulfils an empty node set itself and never submits it.
    if (labels.length === 0) throw new RangeError('a node request needs at least one label');
    const priority = formatPriority(options.priority ?? '200');
    const tenant = options.tenant === undefined ? this.tenant : options.tenant;
    // Zuul's NodeRequest sets its state (and state_time) when built, created_time at submission.
    const stateTime = epochSeconds();
    const document: ZuulRequestDocument = {
      requestor_data: {
        build_set_uuid: options.buildSetUuid ?? randomHex(),
        tenant_name: tenant,
        pipeline_name: options.pipeline ?? this.pipeline,
        job_uuid: options.jobUuid ?? randomHex(),
        job_name: options.jobName ?? 'zuul-client',
        span_info: options.spanInfo ?? null,
      },
      node_types: [...labels],
      requestor: this.systemId,
      created_time: epochSeconds(),
      provider: options.provider ?? null,
      state: 'requested',
      state_time: stateTime,
      relative_priority: options.relativePriority ?? 0,
      event_id: options.eventId === undefined ? randomHex() : options.eventId,
      tenant_name: tenant,
    };
    const submittedAt = Date.now();
    const submitted = (path: string): SubmittedRequest => ({ id: path.slice(REQUEST_ROOT.length + 1), path, priority, labels: [...labels], document, submittedAt });
    for (;;) {
      try {
        return submitted(await this.zk.create(`${REQUEST_ROOT}/${priority}-`, { data: JSON.stringify(document), mode: 'persistent-sequential', makeParents: true }));
      } catch (error) {
        if (!isTransientError(error)) throw error;
      }
      // The connection went with the reply: the request may exist already. Submitted once,
      // whatever happened, so no request is left behind that nobody waits for.
      const existing = await this.findSubmittedOnceConnected(priority, document);
      if (existing) return submitted(existing);
    }
  }

  private async findSubmittedOnceConnected(priority: string, document: ZuulRequestDocument): Promise<string | undefined> {
    for (;;) {
      await this.zk.whenConnected();
      try {
        return await this.findSubmitted(priority, document);
      } catch (error) {
        if (!isTransientError(error)) throw error;
      }
    }
  }

  /** The path of the request this client created from `document`, if it exists. */
  private async findSubmitted(priority: string, document: ZuulRequestDocument): Promise<string | undefined> {
    let names: string[];
    try {
      names = (await this.zk.getChildren(REQUEST_ROOT)).children;
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
    for (const name of names.filter((each) => each.startsWith(`${priority}-`)).sort().reverse()) {
      let record: Partial<ZuulRequestDocument> | undefined;
      try {
        record = JSON.parse((await this.zk.getData(`${REQUEST_ROOT}/${name}`)).data.toString('utf8')) as Partial<ZuulRequestDocument>;
      } catch (error) {
        if (isTransientError(error)) throw error;
        continue; // gone meanwhile, or not JSON: not ours
      }
      const mine = record.requestor === document.requestor && record.created_time === document.created_time && record.requestor_data?.job_uuid === document.requestor_data.job_uuid;
      if (mine) return `${REQUEST_ROOT}/${name}`;
    }
    return undefined;
  }

  /** The request record as it is now, or undefined when it does not exist (or is empty). */
  async readRequest(request: RequestRef): Promise<NodeRequestRecord | undefined> {
    const id = idOf(request);
    try {
      const { data } = await this.zk.getData(requestPath(id));
      return parseRecord<NodeRequestRecord>(data, `request ${id}`);
    } catch (error) {
      if (error instanceof NoNodeError) return undefined;
      throw error;
    }
  }

  /**
   * Resolves with the request record once its state is `fulfilled` or `failed`. Watches the
   * request znode and re-reads it after every event. Rejects with NodeRequestGoneError when the
   * request disappears first (Zuul itself would wait forever), NodeRequestTimeoutError after
   * `timeoutMs`. A lost connection is waited out within the timeout. Either way the request is left in place: `cancel` it if it should go.
   */
  waitForRequest(request: RequestRef, options: WaitForRequestOptions = {}): Promise<NodeRequestRecord> {
    const id = idOf(request);
    const path = requestPath(id);
    const { timeoutMs, signal } = options;
    return new Promise<NodeRequestRecord>((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      let settled = false;
      let checking = false;
      let again = false;
      let lastState: string | undefined;
      const onWatch: WatchListener = () => void check();
      const onAbort = (): void => settle(() => reject(signal?.reason));
      const timer = timeoutMs === undefined ? undefined : setTimeout(() => settle(() => reject(new NodeRequestTimeoutError(id, timeoutMs, lastState))), timeoutMs);
      const settle = (outcome: () => void): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        // The watch may still be armed; a fired or dropped one is fine to miss.
        this.zk.removeWatches(path, 'data', onWatch).catch(() => undefined);
        outcome();
      };
      const check = async (): Promise<void> => {
        if (checking) {
          again = true;
          return;
        }
        checking = true;
        try {
          do {
            again = false;
            if (settled) return;
            let record: NodeRequestRecord | undefined;
            try {
              record = parseRecord<NodeRequestRecord>((await this.zk.getData(path, { watch: onWatch })).data, `request ${id}`);
            } catch (error) {
              if (isTransientError(error)) {
                // As Zuul rides out a ZooKeeper restart: look again once connected (the watch
                // was not set by the failed read).
                await this.zk.whenConnected({ signal });
                again = true;
                continue;
              }
              if (!(error instanceof NoNodeError)) throw error;
            }
            if (!record) return settle(() => reject(new NodeRequestGoneError(id)));
            lastState = record.state;
            if (record.state === 'fulfilled' || record.state === 'failed') return settle(() => resolve(record));
          } while (again);
        } catch (error) {
          settle(() => reject(error));
        } finally {
          checking = false;
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      void check();
    });
  }

  /**
   * Accepts a fulfilled request as Zuul's executor does: reads the request; for each node ID
   * (paired with `node_types` in order) reads the node, requires `allocated_to` to be this
   * request, and locks `/nodepool/nodes/<id>/lock` (kazoo recipe, blocking, 30 s, no
   * identifier). Then it deletes the request, whether or not that worked.
   *
   * @throws AcceptNodesError when the request was not fulfilled or a node could not be had;
   * locks taken by then are released and the request is deleted all the same.
   */
  async acceptNodes(request: RequestRef, options: AcceptNodesOptions = {}): Promise<NodeSet> {
    const id = idOf(request);
    const lockTimeoutMs = options.lockTimeoutMs ?? 30_000;
    const accepted: AcceptedNode[] = [];
    let failure: { reason: string; cause?: unknown } | undefined;
    try {
      const record = await this.readRequest(id);
      if (!record) failure = { reason: 'the request does not exist' };
      else if (record.state !== 'fulfilled') failure = { reason: `the request is ${record.state}, not fulfilled` };
      else {
        const nodeIds = record.nodes ?? [];
        const labels = record.node_types ?? [];
        // Differs from Zuul: it pairs the two lists with zip() and so would silently run with
        // fewer nodes; a test tool should say that the launcher wrote a short list.
        if (nodeIds.length !== labels.length) {
          failure = { reason: `the request lists ${nodeIds.length} nodes for ${labels.length} labels` };
        } else {
          for (const [index, nodeId] of nodeIds.entries()) {
            const node = await this.lockNode(id, nodeId, labels[index]!, lockTimeoutMs);
            if (typeof node === 'string') {
              failure = { reason: node };
              break;
            }
            accepted.push(node);
          }
        }
      }
    } catch (error) {
      failure = { reason: errorMessage(error), cause: error };
    }
    if (failure) await releaseAll(accepted);
    // Zuul deletes the request whatever happened above (a missing one is fine).
    try {
      await this.zk.delete(requestPath(id));
    } catch (error) {
      if (!(error instanceof NoNodeError) && !failure) {
        failure = { reason: `deleting the request failed: ${errorMessage(error)}`, cause: error };
        await releaseAll(accepted);
      }
    }
    if (failure) throw new AcceptNodesError(id, failure.reason, failure.cause === undefined ? undefined : { cause: failure.cause });
    return new NodeSet(id, accepted);
  }

  /**
   * Marks the nodes `in-use`, as the executor does when the job starts running tasks: each
   * node is written whole (plain `setData`, no version) with a fresh `state_time`,
   * `user_data: {zuul_system, project_name}`, every other key as read, and `id`.
   */
  async useNodes(nodeSet: NodeSet, options: UseNodesOptions): Promise<void> {
    const userData = { zuul_system: this.systemId, project_name: options.projectName };
    for (const node of nodeSet.nodes) {
      if (!node.lock.isAcquired) throw new Error(`Node ${node.id} is not locked`);
      await this.storeNode(node, { ...node.record, state: 'in-use', state_time: epochSeconds(), user_data: userData });
    }
  }

  /**
   * Returns the nodes at the end of a job: those still `in-use` (in our last write) become
   * `used`, then every lock is released. A failed write is reported and the rest carries on.
   */
  async returnNodes(nodeSet: NodeSet): Promise<ReturnNodesResult> {
    const result: ReturnNodesResult = { used: [], errors: [] };
    for (const node of nodeSet.nodes) {
      if (!node.lock.isAcquired || node.record.state !== 'in-use') continue;
      try {
        await this.storeNode(node, { ...node.record, state: 'used', state_time: epochSeconds() });
        result.used.push(node.id);
      } catch (error) {
        result.errors.push({ nodeId: node.id, error: asError(error) });
      }
    }
    for (const { nodeId, error } of await releaseAll(nodeSet.nodes)) result.errors.push({ nodeId, error });
    return result;
  }

  /**
   * Holds the nodes for an autohold, as the executor does when a held build fails: `hold`,
   * `hold_job`, `comment`, `hold_expiration` (only when non-zero), then the locks are released.
   * Held nodes are not moved to `used`.
   */
  async holdNodes(nodeSet: NodeSet, options: HoldNodesOptions): Promise<void> {
    for (const node of nodeSet.nodes) {
      if (!node.lock.isAcquired) throw new Error(`Node ${node.id} is not locked`);
      const record: NodeRecord = { ...node.record, state: 'hold', state_time: epochSeconds(), hold_job: options.holdJob, comment: options.comment };
      if (options.expirationSeconds) record.hold_expiration = options.expirationSeconds;
      await this.storeNode(node, record);
    }
    await this.returnNodes(nodeSet);
  }

  /**
   * Deletes the request without any lock, in whatever state, as Zuul does on cancel (and after
   * reading a `failed` request). Resolves false when it did not exist.
   */
  async cancel(request: RequestRef): Promise<boolean> {
    try {
      await this.zk.delete(requestPath(idOf(request)));
      return true;
    } catch (error) {
      if (error instanceof NoNodeError) return false;
      throw error;
    }
  }

  /**
   * One job, start to end: request, wait, then on `failed` delete the request and report
   * NODE_FAILURE; on `fulfilled` accept (a failure there is NODE_FAILURE too), mark in use,
   * keep the nodes `durationMs`, and return them as used (or hold them).
   *
   * @throws NodeRequestTimeoutError (after deleting the request) when `timeoutMs` passes.
   */
  async runJob(labels: readonly string[], options: RunJobOptions = {}): Promise<JobResult> {
    const request = await this.requestNodes(labels, options);
    let record: NodeRequestRecord;
    try {
      record = await this.waitForRequest(request, { timeoutMs: options.timeoutMs, signal: options.signal });
    } catch (error) {
      await this.cancel(request);
      throw error;
    }
    const completedAt = Date.now();
    const result: JobResult = {
      result: 'NODE_FAILURE',
      requestId: request.id,
      labels: [...labels],
      nodeIds: record.state === 'fulfilled' ? [...(record.nodes ?? [])] : [],
      declinedBy: [...(record.declined_by ?? [])],
      timings: { submittedAt: request.submittedAt, completedAt, latencyMs: completedAt - request.submittedAt },
    };
    if (record.state === 'failed') {
      await this.cancel(request);
      result.error = new Error(`Request ${request.id} failed${result.declinedBy.length > 0 ? ` (declined by ${result.declinedBy.join(', ')})` : ''}`);
      return result;
    }
    let nodeSet: NodeSet;
    try {
      nodeSet = await this.acceptNodes(request);
    } catch (error) {
      if (!(error instanceof AcceptNodesError)) throw error;
      result.error = error;
      return result;
    }
    try {
      await this.useNodes(nodeSet, { projectName: options.projectName ?? 'example.org/zuul-client' });
      result.timings.startedAt = Date.now();
      if (options.durationMs) await delay(options.durationMs, undefined, { signal: options.signal }).catch(() => undefined);
      if (options.hold) await this.holdNodes(nodeSet, options.hold);
    } finally {
      // Also after a failed write, so the locks never outlive the job.
      await this.returnNodes(nodeSet);
    }
    result.timings.finishedAt = Date.now();
    result.result = 'SUCCESS';
    return result;
  }

  /** Reads, checks and locks one node; a string explains why it cannot be had. */
  private async lockNode(requestId: string, nodeId: string, label: string, timeoutMs: number): Promise<AcceptedNode | string> {
    let record: NodeRecord | undefined;
    try {
      record = parseRecord<NodeRecord>((await this.zk.getData(nodePath(nodeId))).data, `node ${nodeId}`);
    } catch (error) {
      if (!(error instanceof NoNodeError)) throw error;
    }
    if (!record) return `node ${nodeId} does not exist`;
    if (record.allocated_to !== requestId) {
      return `node ${nodeId} is allocated to ${record.allocated_to ?? 'nothing'}, not ${requestId}`;
    }
    // Zuul's kazoo Lock: ensure_path creates every missing component, so locking a node
    // deleted meanwhile leaves an empty node znode behind (spec §4.7), just as Zuul does.
    const lock = new KazooLock(this.zk, nodeLockPath(nodeId));
    try {
      await lock.acquire({ blocking: true, timeoutMs });
    } catch (error) {
      if (error instanceof LockTimeoutError) return `timeout trying to acquire lock ${nodeLockPath(nodeId)}`;
      throw error;
    }
    // Zuul checks allocated_to once more here, but against the record read above (it does not
    // re-read after locking), so that check can never fail and costs no ZooKeeper call.
    return { id: nodeId, label, record, lock };
  }

  /** One plain, unversioned `setData` of the whole node, as Zuul's `storeNode`. */
  private async storeNode(node: AcceptedNode, record: NodeRecord): Promise<void> {
    const document = zuulNodeDocument(node.id, record);
    await this.zk.setData(nodePath(node.id), JSON.stringify(document));
    node.record = document as NodeRecord;
  }
}

/** Zuul's `'{:0>3}'.format(priority)`, refusing anything that would not stay three digits. */
function formatPriority(priority: string | number): string {
  const text = String(priority).padStart(3, '0');
  if (!/^\d{3}$/.test(text)) throw new RangeError(`a request priority is three digits (e.g. 200), not ${JSON.stringify(priority)}`);
  return text;
}

function idOf(request: RequestRef): string {
  return typeof request === 'string' ? request : request.id;
}

function randomHex(): string {
  return randomUUID().replaceAll('-', '');
}

/** Releases every lock still held; returns the ones that failed. */
async function releaseAll(nodes: readonly AcceptedNode[]): Promise<{ nodeId: string; error: Error }[]> {
  const errors: { nodeId: string; error: Error }[] = [];
  for (const node of nodes) {
    try {
      await node.lock.release();
    } catch (error) {
      errors.push({ nodeId: node.id, error: asError(error) });
    }
  }
  return errors;
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}

function errorMessage(error: unknown): string {
  return asError(error).message;
}
