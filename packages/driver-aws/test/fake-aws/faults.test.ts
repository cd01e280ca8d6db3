import test from 'ava';
import { DescribeInstancesCommand, DescribeVolumesCommand, RunInstancesCommand, type EC2ServiceException } from '@aws-sdk/client-ec2';
import { HeadBucketCommand, ListObjectsV2Command, PutObjectCommand, type S3ServiceException } from '@aws-sdk/client-s3';
import { GetServiceQuotaCommand, type ServiceQuotasServiceException } from '@aws-sdk/client-service-quotas';
import { FakeClock, launchArgs, nodeTags, useFake } from './helpers.js';

test('EC2 throttling reaches the SDK as RequestLimitExceeded (HTTP 503), per class of call', async (t) => {
  const clock = new FakeClock();
  const { ec2, fake } = await useFake(t, { now: clock.now, rateLimits: { describe: 2, mutating: 1 } });
  await ec2.send(new DescribeInstancesCommand({}));
  await ec2.send(new DescribeVolumesCommand({}));
  const error = await t.throwsAsync<EC2ServiceException>(ec2.send(new DescribeInstancesCommand({})), { name: 'RequestLimitExceeded', message: 'Request limit exceeded.' });
  t.is(error?.$metadata.httpStatusCode, 503);
  t.is(error?.$metadata.attempts, 1);
  // Mutating calls have a bucket of their own.
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1')))));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2')))), { name: 'RequestLimitExceeded' });
  // The buckets refill with time: half a second is one describe token.
  clock.advance(500);
  await t.notThrowsAsync(ec2.send(new DescribeInstancesCommand({})));
  t.like(fake.calls(), { DescribeInstances: 2, 'DescribeInstances.throttled': 1, DescribeVolumes: 1, RunInstances: 1, 'RunInstances.throttled': 1 });
  t.is(fake.state().instances.length, 1);
});

test('throttles by count: the first calls of an action, then every n-th, whatever the clock', async (t) => {
  // No fake clock: a count-based throttle does not depend on time at all.
  const { ec2, s3, fake } = await useFake(t, { buckets: ['images'], throttles: { RunInstances: { first: 2, every: 3 } } });
  const outcomes: string[] = [];
  for (let call = 1; call <= 8; call++) {
    outcomes.push(await ec2.send(new RunInstancesCommand(launchArgs(nodeTags(String(call))))).then(() => 'ok', (error: EC2ServiceException) => `${error.name} ${error.$metadata.httpStatusCode}`));
  }
  // Calls 1 and 2, then the 3rd and 6th of the rest (calls 5 and 8).
  const throttled = 'RequestLimitExceeded 503';
  t.deepEqual(outcomes, [throttled, throttled, 'ok', 'ok', throttled, 'ok', 'ok', throttled]);
  await t.notThrowsAsync(ec2.send(new DescribeInstancesCommand({})), 'other actions are untouched');
  t.like(fake.calls(), { RunInstances: 4, 'RunInstances.throttled': 4, DescribeInstances: 1 });
  t.is(fake.state().instances.length, 4);

  // Each protocol answers with its own throttling error; `*` covers every action.
  fake.configure({ throttles: { RunInstances: null, '*': { first: 1 } } });
  await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a', Body: 'x' })), { name: 'SlowDown' });
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('9')))));
  t.deepEqual(fake.settings().throttles, { '*': { first: 1 } });
  // Set again, a rule counts from the start.
  fake.configure({ throttles: { '*': { first: 1 } } });
  await t.throwsAsync(ec2.send(new DescribeInstancesCommand({})), { name: 'RequestLimitExceeded' });
  await t.notThrowsAsync(ec2.send(new DescribeInstancesCommand({})));
});

test('a single action can have a rate limit of its own', async (t) => {
  const clock = new FakeClock();
  const { ec2 } = await useFake(t, { now: clock.now, actionRateLimits: { RunInstances: 1 } });
  await ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1'))));
  await t.throwsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('2')))), { name: 'RequestLimitExceeded' });
  await t.notThrowsAsync(ec2.send(new DescribeInstancesCommand({})));
});

test('S3 throttling is SlowDown (HTTP 503) and Service Quotas throttling is ThrottlingException', async (t) => {
  const clock = new FakeClock();
  const { s3, quotas } = await useFake(t, { now: clock.now, buckets: ['images'], rateLimits: { s3: 1, quotas: 1 } });
  await s3.send(new ListObjectsV2Command({ Bucket: 'images' }));
  const slowDown = await t.throwsAsync<S3ServiceException>(s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a', Body: 'x' })), { name: 'SlowDown', message: 'Please reduce your request rate.' });
  t.is(slowDown?.$metadata.httpStatusCode, 503);
  // A HEAD has no body; the SDK still sees the status.
  const head = await t.throwsAsync<S3ServiceException>(s3.send(new HeadBucketCommand({ Bucket: 'images' })));
  t.is(head?.$metadata.httpStatusCode, 503);
  await quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' }));
  const throttled = await t.throwsAsync<ServiceQuotasServiceException>(quotas.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: 'L-1216C47A' })), { name: 'ThrottlingException' });
  t.is(throttled?.$metadata.httpStatusCode, 400);
});

test('the SDK retries an injected throttle and then succeeds', async (t) => {
  const { ec2, fake } = await useFake(t, {}, { maxAttempts: 3 });
  fake.injectFailure({ action: 'DescribeInstances', code: 'RequestLimitExceeded', count: 2 });
  const result = await ec2.send(new DescribeInstancesCommand({}));
  t.is(result.$metadata.attempts, 3);
  t.true((result.$metadata.totalRetryDelay ?? 0) > 0);
  t.like(fake.calls(), { DescribeInstances: 3, 'DescribeInstances.failed': 2 });
  t.deepEqual(fake.failures(), []);
});

test('the next two RunInstances fail with InsufficientInstanceCapacity, the third succeeds', async (t) => {
  const { ec2, fake } = await useFake(t);
  const rules = fake.injectFailure({ action: 'RunInstances', code: 'InsufficientInstanceCapacity', count: 2 });
  t.like(rules, [{ action: 'RunInstances', code: 'InsufficientInstanceCapacity', status: 500, remaining: 2 }]);
  for (let attempt = 0; attempt < 2; attempt++) {
    const error = await t.throwsAsync<EC2ServiceException>(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1')))), {
      name: 'InsufficientInstanceCapacity',
      message: /We currently do not have sufficient capacity/,
    });
    t.is(error?.$metadata.httpStatusCode, 500);
  }
  // Other actions are untouched.
  await t.notThrowsAsync(ec2.send(new DescribeInstancesCommand({})));
  t.deepEqual(fake.state().instances, []);
  await t.notThrowsAsync(ec2.send(new RunInstancesCommand(launchArgs(nodeTags('1')))));
  t.is(fake.state().instances.length, 1);
  t.like(fake.calls(), { RunInstances: 3, 'RunInstances.failed': 2 });
});

test('a rate-based failure hits a seeded share of calls until cleared', async (t) => {
  const outcomes = async (seed: number): Promise<boolean[]> => {
    const { ec2, fake } = await useFake(t, { seed });
    fake.injectFailure({ action: '*', code: 'InternalError', rate: 0.5 });
    const results: boolean[] = [];
    for (let call = 0; call < 20; call++) results.push(await ec2.send(new DescribeVolumesCommand({})).then(() => true, (error: Error) => (error.name === 'InternalError' ? false : Promise.reject(error))));
    fake.clearFailures();
    await t.notThrowsAsync(ec2.send(new DescribeVolumesCommand({})));
    return results;
  };
  const first = await outcomes(7);
  t.true(first.includes(true) && first.includes(false));
  t.deepEqual(await outcomes(7), first);
});

test('an injected failure can hit every n-th call, until cleared or for a count', async (t) => {
  const { ec2, fake } = await useFake(t);
  fake.injectFailure({ action: 'DescribeVolumes', code: 'InternalError', every: 3 });
  const outcomes = async (calls: number): Promise<boolean[]> => {
    const results: boolean[] = [];
    for (let call = 0; call < calls; call++) results.push(await ec2.send(new DescribeVolumesCommand({})).then(() => true, (error: Error) => (error.name === 'InternalError' ? false : Promise.reject(error))));
    return results;
  };
  t.deepEqual(await outcomes(7), [true, true, false, true, true, false, true]);
  t.like(fake.failures(), [{ action: 'DescribeVolumes', every: 3, remaining: null }]);
  fake.clearFailures();
  fake.injectFailure({ action: 'DescribeVolumes', code: 'InternalError', every: 2, count: 2 });
  t.deepEqual(await outcomes(6), [true, false, true, false, true, true]);
  t.deepEqual(fake.failures(), [], 'used up');
});

test('an injected failure can carry its own message and status', async (t) => {
  const { s3, fake } = await useFake(t, { buckets: ['images'] });
  fake.injectFailure({ action: 'PutObject', code: 'AccessDenied', message: 'Bucket policy says no' });
  await t.throwsAsync(s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a', Body: 'x' })), { name: 'AccessDenied', message: 'Bucket policy says no' });
  fake.injectFailure({ action: 'PutObject', code: 'Teapot', status: 418 });
  const error = await t.throwsAsync<S3ServiceException>(s3.send(new PutObjectCommand({ Bucket: 'images', Key: 'a', Body: 'x' })), { name: 'Teapot', message: 'Injected failure: Teapot' });
  t.is(error?.$metadata.httpStatusCode, 418);
});

test('latency holds every answer, and one action can be held longer', async (t) => {
  const { ec2, fake } = await useFake(t, { latencyMs: 50, actionLatencyMs: { DescribeVolumes: 100 } });
  // Lower bounds only: a held answer cannot come early, however slow the machine.
  let start = performance.now();
  await ec2.send(new DescribeInstancesCommand({}));
  t.true(performance.now() - start >= 45);
  start = performance.now();
  await ec2.send(new DescribeVolumesCommand({}));
  t.true(performance.now() - start >= 145);
  t.like(fake.settings(), { latencyMs: 50, actionLatencyMs: { DescribeVolumes: 100 } });
});
