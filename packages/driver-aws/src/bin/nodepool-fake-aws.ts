#!/usr/bin/env node
// A fake AWS in the foreground, for the quickstart, demos and benchmarks.
import { FakeCloudUsageError, numberFlag, readFakeCloudFlags, requiredPortFlag, runFakeCloudCommand } from '@nodepool/core/testing';
import { FAKE_AWS_CREDENTIALS, startFakeAws, type FakeAwsHandle, type FakeAwsOptions } from '../testing/index.js';

const usage = `Usage: nodepool-fake-aws --port N [options]

Runs a fake AWS until Ctrl-C: EC2 (query API), S3 (REST, path style) and Service Quotas (JSON)
on one HTTP port, state in memory, for Nodepool's aws driver. For tests and demos; not AWS.
Any SigV4 signature is accepted; the region signed for must match --region.

  --port N                 port to listen on (0: a free one)
  --host H                 address to listen on (default 127.0.0.1)
  --region R               region (default us-east-1)
  --zones A,B              availability zones (default <region>a,<region>b,<region>c)
  --boot-delay-ms N        time an instance stays "pending" (default 0)
  --shutdown-delay-ms N    time a terminated instance stays "shutting-down" (default 0)
  --import-delay-ms N      time an import task stays "active" (default 0)
  --host-delay-ms N        time a dedicated host stays "pending" (default 0)
  --bucket NAME            an S3 bucket to create at start (repeatable)
  --public-address A       public IPv4 address every instance reports (e.g. 127.0.0.1)
  --quota CODE=VALUE       a Service Quotas value, e.g. L-1216C47A=64 (repeatable)
  --rate-mutating N        EC2 mutating calls per second; beyond it RequestLimitExceeded
  --rate-describe N        EC2 Describe* calls per second
  --rate-s3 N              S3 requests per second; beyond it SlowDown
  --latency-ms N           added to every API call (default 0)
  --no-spot-capacity       every spot request fails with InsufficientInstanceCapacity
  -h, --help               show this help

Control plane (JSON): GET /_fake/calls, GET/POST /_fake/settings, POST /_fake/failures,
GET /_fake/state, POST /_fake/reset.`;

function readOptions(argv: string[]): FakeAwsOptions | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    region: { type: 'string' },
    zones: { type: 'string' },
    'boot-delay-ms': { type: 'string' },
    'shutdown-delay-ms': { type: 'string' },
    'import-delay-ms': { type: 'string' },
    'host-delay-ms': { type: 'string' },
    bucket: { type: 'string', multiple: true },
    'public-address': { type: 'string' },
    quota: { type: 'string', multiple: true },
    'rate-mutating': { type: 'string' },
    'rate-describe': { type: 'string' },
    'rate-s3': { type: 'string' },
    'latency-ms': { type: 'string' },
    'no-spot-capacity': { type: 'boolean', default: false },
  });
  if (values === 'help') return 'help';
  const port = requiredPortFlag(values);
  const quotas: Record<string, number> = {};
  for (const entry of values.quota ?? []) {
    const match = /^(L-[0-9A-F]+)=(\d+(\.\d+)?)$/.exec(entry);
    if (!match) throw new FakeCloudUsageError(`--quota must look like L-1216C47A=64, not "${entry}"`);
    quotas[match[1]!] = Number(match[2]);
  }
  const region = values.region;
  return {
    port,
    host: values.host,
    region,
    zones: values.zones?.split(',').map((zone) => zone.trim()) ?? (region ? ['a', 'b', 'c'].map((letter) => `${region}${letter}`) : undefined),
    bootDelayMs: numberFlag(values, 'boot-delay-ms'),
    shutdownDelayMs: numberFlag(values, 'shutdown-delay-ms'),
    importDelayMs: numberFlag(values, 'import-delay-ms'),
    hostDelayMs: numberFlag(values, 'host-delay-ms'),
    buckets: values.bucket,
    publicAddress: values['public-address'],
    quotas,
    rateLimits: { mutating: numberFlag(values, 'rate-mutating') ?? null, describe: numberFlag(values, 'rate-describe') ?? null, s3: numberFlag(values, 'rate-s3') ?? null },
    latencyMs: numberFlag(values, 'latency-ms'),
    spotCapacity: values['no-spot-capacity'] ? false : undefined,
  };
}

function describe(fake: FakeAwsHandle): string {
  const settings = fake.settings();
  const limit = (value: number | null): string => (value === null ? 'none' : `${value}/s`);
  const buckets = fake.state().buckets.map((bucket) => bucket.name);
  return [
    'nodepool-fake-aws: a fake AWS (EC2, S3, Service Quotas) for tests and demos, not AWS',
    `listening on ${fake.url}  (region ${settings.region}, zones ${settings.zones.join(', ')})`,
    `  boot delay ${settings.bootDelayMs} ms, import delay ${settings.importDelayMs} ms, latency ${settings.latencyMs} ms`,
    `  rate limits: mutating ${limit(settings.rateLimits.mutating)}, describe ${limit(settings.rateLimits.describe)}, s3 ${limit(settings.rateLimits.s3)}`,
    `  on-demand standard vCPU quota (L-1216C47A) ${settings.quotas['L-1216C47A'] ?? 'none'}, spot (L-34B43A08) ${settings.quotas['L-34B43A08'] ?? 'none'}`,
    `  buckets: ${buckets.join(', ') || 'none'}`,
    '',
    'SDK clients: endpoint, region and any credentials, e.g.',
    `  AWS_ENDPOINT_URL=${fake.url} AWS_REGION=${settings.region} AWS_ACCESS_KEY_ID=${FAKE_AWS_CREDENTIALS.accessKeyId} AWS_SECRET_ACCESS_KEY=${FAKE_AWS_CREDENTIALS.secretAccessKey}`,
    '  (S3 clients need forcePathStyle: true)',
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the fake AWS', readOptions, start: startFakeAws, describe });
