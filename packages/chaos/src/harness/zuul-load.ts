import { setTimeout as delay } from 'node:timers/promises';
import { AcceptNodesError, NodeRequestGoneError, NodeRequestTimeoutError, ZuulClient, type NodeRequestRecord, type NodeSet, type SubmittedRequest } from '@nodepool/zuul-client';
import type { ZooKeeperClient } from '@nodepool/zookeeper';

/** How one job (request, wait, accept, use, return) ended. */
export type JobOutcome =
  /** Fulfilled, its nodes locked, used and returned. */
  | { kind: 'fulfilled'; requestId: string; nodeIds: string[]; waitMs: number }
  /** Failed by a launcher, or fulfilled with nodes Zuul could not have: a reason is given. */
  | { kind: 'failed'; requestId: string; reason: string; waitMs: number }
  /** Neither fulfilled nor failed within the request timeout. */
  | { kind: 'stuck'; requestId: string; waitMs: number }
  /** The harness's own client failed to submit it (ZooKeeper unreachable for too long). */
  | { kind: 'not submitted'; reason: string };

export interface LoadOptions {
  labels: readonly string[];
  /** Jobs in flight at once. */
  concurrency: number;
  total: number;
  /** A request not fulfilled or failed after this long is stuck. */
  requestTimeoutMs: number;
  /** How long each job keeps its nodes in use. Default 0. */
  jobMs?: number;
}

/**
 * Zuul-like load: `total` jobs through `@nodepool/zuul-client`, `concurrency` at a time over the
 * given ZooKeeper clients. Unlike `ZuulClient.runJob`, a ZooKeeper error on Zuul's side (the
 * server being restarted) is retried as Zuul's scheduler would, so that only the launchers'
 * behaviour decides an outcome. `completed` counts finished jobs as they finish, so a scenario
 * can inject its faults after a given number of them (by count, not by time).
 */
export class ZuulLoad {
  readonly outcomes: JobOutcome[] = [];
  private readonly listeners: Array<{ count: number; resolve: () => void }> = [];
  private readonly zuuls: ZuulClient[];
  private stopped = false;

  constructor(
    clients: readonly ZooKeeperClient[],
    private readonly options: LoadOptions,
  ) {
    this.zuuls = clients.map((client) => new ZuulClient(client));
  }

  get completed(): number {
    return this.outcomes.length;
  }

  /** Resolves once `count` jobs have finished (at once if they have). */
  whenCompleted(count: number): Promise<void> {
    if (this.completed >= count) return Promise.resolve();
    return new Promise((resolve) => this.listeners.push({ count, resolve }));
  }

  /** Starts no further job; `run()` resolves once those in flight have ended. */
  stop(): void {
    this.stopped = true;
  }

  /** Runs every job; resolves when all have an outcome. */
  async run(): Promise<JobOutcome[]> {
    let next = 0;
    await Promise.all(
      Array.from({ length: this.options.concurrency }, async (_, worker) => {
        const zuul = this.zuuls[worker % this.zuuls.length]!;
        while (next < this.options.total && !this.stopped) {
          next++;
          this.record(await this.runJob(zuul));
        }
      }),
    );
    return this.outcomes;
  }

  private record(outcome: JobOutcome): void {
    this.outcomes.push(outcome);
    for (const listener of [...this.listeners]) {
      if (this.completed >= listener.count) {
        this.listeners.splice(this.listeners.indexOf(listener), 1);
        listener.resolve();
      }
    }
  }

  private async runJob(zuul: ZuulClient): Promise<JobOutcome> {
    let request: SubmittedRequest;
    try {
      request = await zuul.requestNodes(this.options.labels);
    } catch (error) {
      return { kind: 'not submitted', reason: String(error) };
    }
    const deadline = request.submittedAt + this.options.requestTimeoutMs;
    const waitMs = (): number => Date.now() - request.submittedAt;
    let record: NodeRequestRecord;
    try {
      record = await this.waitForRequest(zuul, request, deadline);
    } catch (error) {
      if (error instanceof NodeRequestTimeoutError) {
        await retry(() => zuul.cancel(request), deadline + 30_000).catch(() => undefined);
        return { kind: 'stuck', requestId: request.id, waitMs: waitMs() };
      }
      return { kind: 'failed', requestId: request.id, reason: String(error), waitMs: waitMs() };
    }
    const waited = waitMs();
    if (record.state === 'failed') {
      await retry(() => zuul.cancel(request), Date.now() + 60_000).catch(() => undefined);
      const declined = record.declined_by?.length ? `declined by ${record.declined_by.join(', ')}` : 'failed, declined by nobody';
      return { kind: 'failed', requestId: request.id, reason: declined, waitMs: waited };
    }
    let nodeSet: NodeSet;
    try {
      nodeSet = await retry(() => zuul.acceptNodes(request), Date.now() + 60_000, (error) => !(error instanceof AcceptNodesError));
    } catch (error) {
      return { kind: 'failed', requestId: request.id, reason: `fulfilled, but Zuul could not accept the nodes: ${String(error)}`, waitMs: waited };
    }
    try {
      await retry(() => zuul.useNodes(nodeSet, { projectName: 'example.org/chaos' }), Date.now() + 60_000);
      if (this.options.jobMs) await delay(this.options.jobMs);
    } finally {
      await retry(() => zuul.returnNodes(nodeSet), Date.now() + 60_000).catch(() => undefined);
    }
    return { kind: 'fulfilled', requestId: request.id, nodeIds: nodeSet.nodes.map((node) => node.id), waitMs: waited };
  }

  /** Waits for `fulfilled` or `failed`, through ZooKeeper errors on this side, until `deadline`. */
  private async waitForRequest(zuul: ZuulClient, request: SubmittedRequest, deadline: number): Promise<NodeRequestRecord> {
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new NodeRequestTimeoutError(request.id, this.options.requestTimeoutMs, undefined);
      try {
        return await zuul.waitForRequest(request, { timeoutMs: remaining });
      } catch (error) {
        if (error instanceof NodeRequestTimeoutError || error instanceof NodeRequestGoneError) throw error;
        await delay(500);
      }
    }
  }
}

/** Calls `action` until it succeeds, `deadline` passes, or `retryable` says no (default: every error). */
async function retry<T>(action: () => Promise<T>, deadline: number, retryable: (error: unknown) => boolean = () => true): Promise<T> {
  for (;;) {
    try {
      return await action();
    } catch (error) {
      if (!retryable(error) || Date.now() > deadline) throw error;
      await delay(500);
    }
  }
}
