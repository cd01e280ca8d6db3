import test from 'ava';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import { MAX_PROVIDERS_PER_SAMPLE, MIN_READY_REQUESTOR, Node, NodeRequest, OTHER_PROVIDERS, type CompletedRequest } from '@nodepool/core';
import { historyFixture, launchedNode, STARTED_AT, zuulRequest } from './helpers.js';

const zk = useZooKeeper(test);
const T0 = STARTED_AT / 1000;

test('the first sample is taken at start: nodes by state (all eleven) and the requests still open', async (t) => {
  const f = await historyFixture(t, zk().connectString);
  for (const state of ['ready', 'ready', 'in-use', 'building'] as const) await f.setNode(launchedNode('cloud-a', T0 - 60), state, T0 - 30);
  await f.setRequest(zuulRequest(T0 - 20), 'requested', T0 - 20);
  await f.setRequest(zuulRequest(T0 - 20), 'pending', T0 - 10);
  await f.setRequest(zuulRequest(T0 - 20), 'fulfilled', T0 - 5);
  f.history.start();
  const [first] = f.history.samples();
  t.deepEqual(first, {
    time: T0,
    interval: 0,
    nodes: { init: 0, building: 1, testing: 0, ready: 2, 'in-use': 1, used: 0, hold: 0, deleting: 0, failed: 0, aborted: 0, deleted: 0 },
    requests: 2,
    // Requests done before the history began are not counted.
    request_wait: { count: 0, p50: null, p95: null },
    launches: {},
  });
});

test('every interval the clock takes a sample of what changed since the last; stopping ends it', async (t) => {
  const f = await historyFixture(t, zk().connectString);
  const seen: number[] = [];
  f.history.on('sample', (sample) => seen.push(sample.time));
  f.history.start();
  const node = await f.setNode(launchedNode('cloud-a', T0), 'building', T0);
  f.clock.advance(10_000);
  await f.setNode(node, 'ready', T0 + 12);
  f.clock.advance(25_000);
  const samples = f.history.samples();
  t.deepEqual(samples.map((sample) => [sample.time - T0, sample.interval]), [[0, 0], [10, 10], [20, 10], [30, 10]]);
  t.deepEqual(seen, samples.map((sample) => sample.time));
  t.deepEqual(samples.map((sample) => [sample.nodes.building, sample.nodes.ready]), [[0, 0], [1, 0], [0, 1], [0, 1]]);
  t.deepEqual(samples.map((sample) => sample.launches), [{}, {}, { 'cloud-a': { launched: 1, failed: 0 } }, {}]);
  // Off schedule, as a test may ask: the interval is what it covered.
  t.is(f.history.sample().interval, 5);
  f.history.stop();
  t.is(f.clock.pending, 0);
  f.clock.advance(60_000);
  t.is(f.history.samples().length, 5);
});

test('request waits: count, p50 and p95 of the requests fulfilled or failed in the interval, from creation to completion', async (t) => {
  const f = await historyFixture(t, zk().connectString);
  const completed: CompletedRequest[] = [];
  f.history.on('completed', (request) => completed.push(request));
  f.history.start();
  const requests: NodeRequest[] = [];
  for (let i = 1; i <= 20; i++) requests.push(await f.setRequest(zuulRequest(T0), 'requested', T0));
  // Nodepool's own min-ready request: nobody waits on it.
  const minReady = await f.setRequest(Object.assign(zuulRequest(T0, MIN_READY_REQUESTOR), { createdTime: null }), 'requested', T0, '900');
  for (const [index, request] of requests.entries()) {
    await f.setRequest(request, 'pending', T0 + 0.5);
    // Waits of 1..20 s; the last one declined by every pool.
    await f.setRequest(request, index === 19 ? 'failed' : 'fulfilled', T0 + index + 1);
  }
  await f.setRequest(minReady, 'fulfilled', T0 + 100);
  // Zuul rewrites a fulfilled request (accepting its nodes), then deletes it: counted once.
  await f.setRequest(requests[0]!, 'fulfilled', T0 + 30);
  await f.peer.deleteNodeRequest(requests[1]!);
  await waitFor(() => !f.requests.get(requests[1]!.id));
  f.clock.advance(10_000);
  t.is(completed.length, 20);
  t.deepEqual(completed.at(-1), { id: requests[19]!.id, state: 'failed', waitSeconds: 20 });
  const [, sample] = f.history.samples();
  t.deepEqual(sample!.request_wait, { count: 20, p50: 10, p95: 19 });
  t.is(sample!.requests, 0);
  f.clock.advance(10_000);
  t.deepEqual(f.history.samples()[2]!.request_wait, { count: 0, p50: null, p95: null });
});

test('a request without created_time waits from the time it was first seen requested', async (t) => {
  const f = await historyFixture(t, zk().connectString);
  const completed: CompletedRequest[] = [];
  f.history.on('completed', (request) => completed.push(request));
  f.history.start();
  const request = await f.setRequest(Object.assign(zuulRequest(T0), { createdTime: null }), 'requested', T0 + 3);
  await f.setRequest(request, 'fulfilled', T0 + 10);
  t.deepEqual(completed, [{ id: request.id, state: 'fulfilled', waitSeconds: 7 }]);
});

test('launches per provider: building to ready is launched, to failed or aborted failed; a static node registered ready is no launch', async (t) => {
  const f = await historyFixture(t, zk().connectString);
  f.history.start();
  const a1 = await f.setNode(launchedNode('cloud-a', T0), 'building', T0);
  const a2 = await f.setNode(launchedNode('cloud-a', T0), 'building', T0);
  const b1 = await f.setNode(launchedNode('cloud-b', T0), 'building', T0);
  const b2 = await f.setNode(launchedNode('cloud-b', T0), 'building', T0);
  await f.setNode(a1, 'ready', T0 + 5);
  await f.setNode(a2, 'ready', T0 + 5);
  await f.setNode(b1, 'failed', T0 + 5);
  await f.setNode(b2, 'aborted', T0 + 5);
  // A static node: registered ready (created_time = state_time), used and registered again.
  const registered = await f.setNode(launchedNode('rack', T0 + 6), 'ready', T0 + 6);
  await f.setNode(registered, 'in-use', T0 + 7);
  await f.setNode(launchedNode('rack', T0 + 8), 'ready', T0 + 8);
  // Ready, then in use, then used: still one launch.
  await f.setNode(a1, 'in-use', T0 + 8);
  await f.setNode(a1, 'used', T0 + 9);
  // A node first seen ready after another state (its building state missed) was launched.
  await f.setNode(launchedNode('cloud-c', T0), 'ready', T0 + 9);
  f.clock.advance(10_000);
  t.deepEqual(f.history.samples()[1]!.launches, {
    'cloud-a': { launched: 2, failed: 0 },
    'cloud-b': { launched: 0, failed: 2 },
    'cloud-c': { launched: 1, failed: 0 },
  });
});

test('memory is bounded: 360 samples at most, the oldest dropped; a sample names 64 providers and sums the rest, so an hour stays under 4 MiB', async (t) => {
  const f = await historyFixture(t, zk().connectString);
  f.history.start();
  t.is(f.history.capacity, 360);
  // A launch finishing on each of 100 providers with long names in one interval.
  const name = (index: number): string => `provider-${String(index).padStart(3, '0')}-${'x'.repeat(100)}`;
  const nodes: Node[] = [];
  for (let i = 0; i < 100; i++) nodes.push(await f.setNode(launchedNode(name(i), T0), 'building', T0));
  // The first ten launch twice (so they are the busiest), the others once.
  for (const [i, node] of nodes.entries()) {
    await f.setNode(node, 'ready', T0 + 1);
    if (i < 10) await f.setNode(launchedNode(name(i), T0), 'failed', T0 + 1);
  }
  f.clock.advance(10_000);
  const worst = f.history.samples()[1]!;
  const named = Object.keys(worst.launches).filter((key) => key !== OTHER_PROVIDERS);
  t.is(named.length, MAX_PROVIDERS_PER_SAMPLE);
  for (let i = 0; i < 10; i++) t.deepEqual(worst.launches[name(i)], { launched: 1, failed: 1 });
  t.deepEqual(worst.launches[OTHER_PROVIDERS], { launched: 100 - MAX_PROVIDERS_PER_SAMPLE, failed: 0 });
  const worstBytes = Buffer.byteLength(JSON.stringify(worst));
  t.true(worstBytes * f.history.capacity < 4 * 1024 * 1024, `${worstBytes} bytes a sample`);

  f.clock.advance(2000 * 10_000);
  const samples = f.history.samples();
  t.is(samples.length, 360);
  t.is(samples.at(-1)!.time, T0 + 2001 * 10);
  t.is(samples[0]!.time, T0 + (2001 - 359) * 10);
  t.true(Buffer.byteLength(JSON.stringify(samples)) < 4 * 1024 * 1024);
});
