import type { JobResult, NodeSet, SubmittedRequest, ZuulClient } from '@nodepool/zuul-client';
import { waitFor } from './wait-for.js';

/*
 * The steps every cloud driver's end-to-end launcher test takes, with their checks: a request
 * served and its node returned, requests held at quota and served once a node goes, a launch
 * refused for quota aborted rather than failed, many jobs at once, many nodes booting at once
 * under one listing per interval, and leaks deleted only once seen twice. The cloud's own part
 * (which call reads the quota, which one launches, what "gone" means) comes as arguments.
 */

/** The part of ava's `t` the steps use (typed structurally: testkit does not depend on ava). */
export interface ScenarioAssertions {
  is(actual: unknown, expected: unknown, message?: string): unknown;
  not(actual: unknown, expected: unknown, message?: string): unknown;
  true(actual: unknown, message?: string): unknown;
  false(actual: unknown, message?: string): unknown;
  deepEqual(actual: unknown, expected: unknown, message?: string): unknown;
  log(...values: unknown[]): void;
  teardown(fn: () => unknown): void;
}

/** The requests as the request cache holds them (core's `RequestCache` fits). */
export interface RequestLookup {
  get(id: string): { readonly state: string; readonly declinedBy: readonly string[] } | undefined;
}

/** The node records as the node cache holds them (core's `NodeCache` fits). */
export interface NodeLookup {
  get(id: string): unknown;
}

/** A fake cloud's call counters, by call name. */
export interface CountedCalls {
  calls(): Readonly<Record<string, number>>;
  resetCalls(): unknown;
}

/** The count of `name` so far (0 when never called). */
export const callCount = (cloud: Pick<CountedCalls, 'calls'>, name: string): number => cloud.calls()[name] ?? 0;

/** Requests `labels` and asserts them fulfilled; returns the accepted node set and its first node. */
export async function fulfil(t: ScenarioAssertions, zuul: ZuulClient, labels: readonly string[], timeoutMs = 30_000) {
  const request = await zuul.requestNodes(labels);
  t.is((await zuul.waitForRequest(request, { timeoutMs })).state, 'fulfilled');
  const nodeset = await zuul.acceptNodes(request);
  return { request, nodeset, node: nodeset.nodes[0]! };
}

/** Uses the nodes for a job and returns them, as Zuul does at a job's end. */
export async function finishJob(zuul: ZuulClient, nodeset: NodeSet): Promise<void> {
  await zuul.useNodes(nodeset, { projectName: 'example.org/app' });
  await zuul.returnNodes(nodeset);
}

/** Returns a used node set and waits until the cloud's resources (`gone`) and the node records are deleted. */
export async function returnAndWaitDeleted(zuul: ZuulClient, nodes: NodeLookup, nodeset: NodeSet, gone: () => boolean, message: string): Promise<void> {
  await finishJob(zuul, nodeset);
  await waitFor(gone, { timeoutMs: 20_000, message });
  for (const node of nodeset.nodes) await waitFor(() => !nodes.get(node.id), { timeoutMs: 20_000, message: 'the node record stayed' });
}

/** Where a launcher's pool may be seen paused: core's `poolPaused(c)`. */
export type PoolPaused = () => Promise<boolean>;

/** Asserts `request` waits (pending) with the pool paused. */
export async function expectHeldAtQuota(requests: RequestLookup, request: { id: string }, paused: PoolPaused, message = 'the pool did not pause'): Promise<void> {
  await waitFor(() => requests.get(request.id)?.state === 'pending', { timeoutMs: 20_000 });
  await waitFor(paused, { timeoutMs: 20_000, message });
}

/** The cloud's own part of {@link expectQuotaHoldsThird}. */
export interface QuotaHoldOptions {
  /** The label whose two nodes fill the quota. */
  readonly label: string;
  /** Calls that read the quota so far. */
  quotaReads(): number;
  /** Calls that launch so far. */
  launches(): number;
  /** The cloud's API as the checks name it (`EC2`). */
  readonly api: string;
}

/**
 * Two nodes fill the quota; a third request waits, with the pool paused, while the launcher
 * keeps reading the quota and never launches beyond it; once a used node is returned (a used
 * node is deleted, freeing room; an unused one would be handed over as it is), it is served.
 */
export async function expectQuotaHoldsThird(t: ScenarioAssertions, s: { zuul: ZuulClient; requests: RequestLookup; paused: PoolPaused }, options: QuotaHoldOptions): Promise<void> {
  const { zuul, requests } = s;
  const first = await zuul.requestNodes([options.label]);
  const second = await zuul.requestNodes([options.label]);
  t.is((await zuul.waitForRequest(first, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.is((await zuul.waitForRequest(second, { timeoutMs: 30_000 })).state, 'fulfilled');
  const third = await zuul.requestNodes([options.label]);
  await expectHeldAtQuota(requests, third, s.paused);
  // The launcher looks at the waiting request again (reading the quota) and still holds off.
  const reads = options.quotaReads();
  await waitFor(() => options.quotaReads() >= reads + 2, { timeoutMs: 30_000, message: 'the launcher did not look at the quota again' });
  t.is(requests.get(third.id)?.state, 'pending', 'still waiting for quota, not failed');
  t.is(options.launches(), 2, `never asked ${options.api} beyond the quota`);

  await finishJob(zuul, await zuul.acceptNodes(first));
  t.is((await zuul.waitForRequest(third, { timeoutMs: 30_000 })).state, 'fulfilled');
  t.deepEqual(requests.get(third.id)?.declinedBy ?? [], []);
}

/** A stats sink that keeps the names of the counters incremented (core's `Stats` fits). */
export function countingStats() {
  const counted: string[] = [];
  const stats = { enabled: true, increment: (name: string) => void counted.push(name), gauge: () => undefined, timing: () => undefined, close: async () => undefined };
  return { stats, counted };
}

/** The cloud's own part of {@link expectAbortedAtQuota}. */
export interface QuotaRefusalOptions {
  /** The provider's name in the stats keys. */
  readonly provider: string;
  /** Launches the cloud refused so far. */
  refusals(): number;
  /** Calls that read the quota so far. */
  quotaReads(): number;
}

/**
 * With every launch refused for quota: the pool pauses, the launch is tried again more often
 * than launch-retries (2) allow failed attempts, and the request stays pending, never declined,
 * recorded as aborted at quota and never as another error, the quota read again. The caller
 * then lifts the refusals and checks with {@link expectServed}.
 */
export async function expectAbortedAtQuota(
  t: ScenarioAssertions,
  s: { zuul: ZuulClient; requests: RequestLookup; paused: PoolPaused; counted: readonly string[] },
  options: QuotaRefusalOptions,
): Promise<SubmittedRequest> {
  const { zuul, requests, counted } = s;
  const request = await zuul.requestNodes(['small']);
  await waitFor(s.paused, { timeoutMs: 30_000, message: 'the pool did not pause after the refusal' });
  // More refusals than launch-retries (2): aborted launches are not failed attempts.
  await waitFor(() => options.refusals() >= 3, { timeoutMs: 30_000, message: 'the launch was not tried again' });
  t.is(requests.get(request.id)?.state, 'pending', 'still waiting for quota, not failed');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], [], 'never declined');
  t.true(counted.includes(`nodepool.launch.provider.${options.provider}.error.quota`), 'recorded as aborted at quota');
  const otherError = new RegExp(`^nodepool\\.launch\\.provider\\.${options.provider}\\.error\\.(?!quota)`);
  t.false(counted.some((name) => otherError.test(name)), `recorded as a failure: ${counted.join(', ')}`);
  t.true(options.quotaReads() >= 2, 'the quota was read again after the refusal');
  return request;
}

/** Asserts `request` fulfilled, never declined. */
export async function expectServed(t: ScenarioAssertions, zuul: ZuulClient, requests: RequestLookup, request: { id: string }, timeoutMs = 40_000): Promise<void> {
  t.is((await zuul.waitForRequest(request, { timeoutMs })).state, 'fulfilled');
  t.deepEqual(requests.get(request.id)?.declinedBy ?? [], [], 'never declined');
}

/** Runs `count` one-node jobs at once and asserts every one succeeded. */
export async function expectJobsSucceed(t: ScenarioAssertions, zuul: ZuulClient, count: number, labels: readonly string[] = ['small']): Promise<JobResult[]> {
  const results = await Promise.all(Array.from({ length: count }, () => zuul.runJob(labels, { timeoutMs: 60_000 })));
  t.deepEqual(
    results.map((result) => result.result),
    Array(count).fill('SUCCESS'),
  );
  return results;
}

/** The cloud's own part of {@link expectRetriedThenFailed}. */
export interface BootFailureOptions {
  /** Makes the cloud's next `count` boots fail. */
  failBoots(count: number): void;
  /** Launches so far. */
  launches(): number;
  /** Deletions so far. */
  deletions(): number;
  /** Whether nothing of the node is left in the cloud. */
  nothingLeft(): boolean;
  /** What failed (`the failed VM`). */
  readonly what: string;
  /** The cloud's own checks once the retried launch served its job. */
  afterRetry?(): void;
}

/**
 * One failed boot: deleted and tried again, the job succeeds. Two: with launch-retries 2 the
 * node fails, and nothing of it is left.
 */
export async function expectRetriedThenFailed(t: ScenarioAssertions, zuul: ZuulClient, options: BootFailureOptions): Promise<void> {
  const timeoutMs = 40_000;
  options.failBoots(1);
  t.is((await zuul.runJob(['small'], { timeoutMs })).result, 'SUCCESS');
  t.is(options.launches(), 2);
  t.true(options.deletions() >= 1, `${options.what} was deleted before the retry`);
  options.afterRetry?.();

  options.failBoots(2);
  t.is((await zuul.runJob(['small'], { timeoutMs })).result, 'NODE_FAILURE', 'launch-retries: 2 attempts, both failed');
  await waitFor(options.nothingLeft, { timeoutMs: 20_000, message: `something of a failed node was left behind` });
}

/**
 * Requests `count` nodes of `label` at once, with the cloud's calls counted from just before,
 * and asserts each request fulfilled; returns the calls and the window's length.
 */
export async function bootAtOnce(t: ScenarioAssertions, zuul: ZuulClient, cloud: CountedCalls, api: string, label = 'small', count = 8) {
  // The window encloses every counted call, so a bound by its length holds on a machine of any speed.
  const started = Date.now();
  await cloud.resetCalls();
  const submitted = await Promise.all(Array.from({ length: count }, () => zuul.requestNodes([label])));
  for (const request of submitted) t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const counted = { ...cloud.calls() };
  const elapsedMs = Date.now() - started;
  t.log(`${api} calls for ${count} nodes in ${elapsedMs} ms: ${JSON.stringify(counted)}`);
  return { counted, elapsedMs };
}

/** Asserts `listings` of `what` within `elapsedMs` are at most one per interval (1 s), however many nodes boot. */
export function expectListedOncePerInterval(t: ScenarioAssertions, listings: number, elapsedMs: number, what = 'listings'): void {
  t.true(listings <= Math.ceil(elapsedMs / 1_000) + 1, `${listings} ${what} in ${elapsedMs} ms for booting nodes`);
}

/**
 * Asserts a leak was deleted only once seen on a second pass: the first of `deletions` in the
 * cloud's call log comes after the second `listing`.
 */
export function expectSecondSighting(t: ScenarioAssertions, log: readonly string[], listing: string, deletions: string | readonly string[]): void {
  const kinds = typeof deletions === 'string' ? [deletions] : deletions;
  const listings = log.flatMap((name, index) => (name === listing ? [index] : []));
  const deleted = log.findIndex((name) => kinds.includes(name));
  t.true(listings.length >= 2 && deleted > listings[1]!, `${kinds.join('/')} (call ${deleted}) before the second ${listing} (calls ${listings.join(', ')}): ${log.join(', ')}`);
}
