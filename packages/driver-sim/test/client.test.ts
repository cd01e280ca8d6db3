import test from 'ava';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getLogger, NotFoundError, PacedRateLimiter, QuotaError } from '@nodepool/core';
import { SimApiError } from '@nodepool/driver-sim';
import { startSimCloud } from '@nodepool/driver-sim/cloud';
import { SimClient } from '../src/client.js';
import { adapterContext, FakeClock } from './helpers.js';

const log = getLogger('test.sim-client');

test('a throttled call backs its limiter off for the time the cloud asks, then is retried', async (t) => {
  const clock = new FakeClock();
  const cloud = await startSimCloud({ rateLimit: 1, now: clock.now });
  t.teardown(() => cloud.stop());
  const { rateLimits } = adapterContext();
  // The limiter's pause stands for the time passing on the cloud's clock.
  rateLimits.readOnly.onBackOff = (ms) => clock.advance(ms);
  rateLimits.mutating.onBackOff = (ms) => clock.advance(ms);
  const client = new SimClient(cloud.url, rateLimits, log);

  t.deepEqual(await client.listInstances(), []);
  t.is((await client.createInstance({ name: 'np1', flavor: 'small' })).status, 'running');
  t.deepEqual(rateLimits.readOnly.backOffs, []);
  t.deepEqual(rateLimits.mutating.backOffs, [1000]);
  t.is(rateLimits.mutating.calls, 2);
  t.deepEqual(cloud.calls(), { 'instances.create': 1, 'instances.create.throttled': 1, 'instances.list': 1 });
});

test('throttled calls wait out real back-offs, each after the one before', async (t) => {
  // Throttled by count, so the same 20 calls are refused however slow the machine.
  const cloud = await startSimCloud({ throttles: { 'instances.list': { first: 20, retryAfterMs: 20 } } });
  t.teardown(() => cloud.stop());
  // The kit's own limiter, unpaced: only the cloud's 429s slow it down.
  const limiter = new PacedRateLimiter(Infinity);
  const backOffs: (number | undefined)[] = [];
  const readOnly = { run: limiter.run.bind(limiter), backOff: (ms?: number) => (backOffs.push(ms), limiter.backOff(ms)) };
  const client = new SimClient(cloud.url, { mutating: limiter, readOnly }, log);
  const started = Date.now();
  const lists = await Promise.all(Array.from({ length: 40 }, () => client.listInstances()));
  const elapsed = Date.now() - started;
  t.is(lists.length, 40);
  t.deepEqual(backOffs, Array(20).fill(20), 'each refusal backs off for the time the cloud asks');
  t.deepEqual(cloud.calls(), { 'instances.list': 40, 'instances.list.throttled': 20 });
  // A lower bound only: the 20 retries went one after another, not all at once after 20 ms.
  t.true(elapsed >= 19 * 20, `40 calls with 20 back-offs took ${elapsed} ms`);
});

test('a call throttled too often fails with the cloud’s answer', async (t) => {
  const cloud = await startSimCloud({ rateLimit: 1, now: () => 0 });
  t.teardown(() => cloud.stop());
  const { rateLimits } = adapterContext();
  rateLimits.readOnly.onBackOff = () => undefined;
  const client = new SimClient(cloud.url, rateLimits, log, { maxThrottleRetries: 2 });
  await client.listInstances();
  const error = await t.throwsAsync(client.listInstances(), { instanceOf: SimApiError, message: /HTTP 429 Throttled/ });
  t.is(error?.status, 429);
  t.is(error?.code, 'Throttled');
  t.is(rateLimits.readOnly.backOffs.length, 2);
});

test('cloud errors become core errors: 404 NotFound, 403 quota, the rest SimApiError', async (t) => {
  const cloud = await startSimCloud({ maxInstances: 0 });
  t.teardown(() => cloud.stop());
  const client = new SimClient(cloud.url, adapterContext().rateLimits, log);
  await t.throwsAsync(client.deleteInstance('i-missing'), { instanceOf: NotFoundError, message: 'sim cloud DELETE /instances/i-missing: HTTP 404 NotFound: instance i-missing does not exist' });
  await t.throwsAsync(client.createInstance({ name: 'x', flavor: 'small' }), { instanceOf: QuotaError, message: /HTTP 403 QuotaExceeded: Quota exceeded for instances/ });
  const bad = await t.throwsAsync(client.createInstance({ name: 'x', flavor: 'tiny' }), { instanceOf: SimApiError });
  t.is(bad?.status, 400);
  t.is(bad?.code, 'BadRequest');
  t.regex(bad?.body ?? '', /flavor tiny does not exist/);
});

test('a 404 for a wrong path is not taken for a deleted object', async (t) => {
  const cloud = await startSimCloud();
  t.teardown(() => cloud.stop());
  const client = new SimClient(`${cloud.url}/v2/`, adapterContext().rateLimits, log);
  const error = await t.throwsAsync(client.deleteInstance('i-1'), { instanceOf: SimApiError });
  t.is(error?.code, 'UnknownRoute');
});

test('an error body that is not the cloud’s is reported as sent', async (t) => {
  const server = createServer((_request, response) => response.writeHead(502).end('<html>bad gateway</html>'));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const client = new SimClient(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, adapterContext().rateLimits, log);
  const error = await t.throwsAsync(client.listInstances(), { instanceOf: SimApiError, message: /HTTP 502: <html>bad gateway<\/html>/ });
  t.is(error?.code, undefined);
});

test('an unreachable cloud fails with the address and the cause', async (t) => {
  const cloud = await startSimCloud();
  const url = cloud.url;
  await cloud.stop();
  const client = new SimClient(url, adapterContext().rateLimits, log);
  await t.throwsAsync(client.listInstances(), { message: new RegExp(`sim cloud GET ${url}/instances failed: .*ECONNREFUSED`) });
});
