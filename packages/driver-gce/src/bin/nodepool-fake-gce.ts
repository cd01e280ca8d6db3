#!/usr/bin/env node
// A fake Compute Engine in the foreground, for trials, demos and benchmarks.
import { FakeCloudUsageError, givenOptions, numberFlag, readFakeCloudFlags, requiredPortFlag, runFakeCloudCommand } from '@nodepool/core/testing';
import { QUOTA_METRICS, startFakeGce, type FakeGceHandle, type FakeQuotaMetric, type StartFakeGceOptions } from '../testing/index.js';

const usage = `Usage: nodepool-fake-gce --port N [options]

Runs a fake Google Compute Engine until Ctrl-C: the Compute REST API v1 (instances, zone
operations, machine types, images and families, regions with quotas) under /compute/v1/, and a
token endpoint for google-auth-library, state in memory. For tests and demos; not Google Cloud.

  --port N               port to listen on (0: a free one)
  --host H               address to listen on (default 127.0.0.1)
  --zone Z               a zone (default us-central1-a, -b, -c, -f; repeatable)
  --boot-delay-ms N      time an instance takes to be RUNNING (default 0)
  --delete-delay-ms N    time a deleted instance stays STOPPING (default 0)
  --nat-address A        every external address is A (e.g. 127.0.0.1, for key scans)
  --quota METRIC=N       ${QUOTA_METRICS.join(', ')} (repeatable)
  --latency-ms N         added to every API call (default 0)
  --rate N               API calls a second before rateLimitExceeded (default 0: no limit)
  -h, --help             show this help

Credentials: save GET /_fake/credentials.json and point GOOGLE_APPLICATION_CREDENTIALS at it.
Control plane (JSON): GET/DELETE /_fake/calls, GET/POST /_fake/settings, POST /_fake/faults,
POST /_fake/boot-failures, GET /_fake/state, POST /_fake/instances, POST /_fake/images,
POST /_fake/reset.`;

function readOptions(argv: string[]): StartFakeGceOptions | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    zone: { type: 'string', multiple: true },
    'boot-delay-ms': { type: 'string' },
    'delete-delay-ms': { type: 'string' },
    'nat-address': { type: 'string' },
    quota: { type: 'string', multiple: true },
    'latency-ms': { type: 'string' },
    rate: { type: 'string' },
  });
  if (values === 'help') return 'help';
  const port = requiredPortFlag(values);
  const quotas: Partial<Record<FakeQuotaMetric, number>> = {};
  for (const entry of values.quota ?? []) {
    const match = /^([A-Z_]+)=(\d+)$/.exec(entry);
    if (!match || !(QUOTA_METRICS as readonly string[]).includes(match[1]!)) throw new FakeCloudUsageError(`--quota must look like CPUS=24 (one of ${QUOTA_METRICS.join(', ')}), not "${entry}"`);
    quotas[match[1] as FakeQuotaMetric] = Number(match[2]);
  }
  const options: Record<string, unknown> = {
    port,
    host: values.host,
    zones: values.zone,
    bootDelayMs: numberFlag(values, 'boot-delay-ms'),
    deleteDelayMs: numberFlag(values, 'delete-delay-ms'),
    natAddress: values['nat-address'],
    latencyMs: numberFlag(values, 'latency-ms'),
    ratePerSecond: numberFlag(values, 'rate'),
    ...(Object.keys(quotas).length > 0 ? { quotas } : {}),
  };
  return givenOptions(options) as StartFakeGceOptions;
}

function describe(fake: FakeGceHandle): string {
  const settings = fake.settings();
  const quotas = Object.entries(settings.quotas).map(([metric, limit]) => `${metric} ${limit}`).join(', ');
  return [
    'nodepool-fake-gce: a fake Google Compute Engine (Compute REST v1) for tests and demos, not Google Cloud',
    `listening on ${fake.url}  (zones ${settings.zones.join(', ')}; any project)`,
    `  boot delay ${settings.bootDelayMs} ms, latency ${settings.latencyMs} ms, rate ${settings.ratePerSecond || 'unlimited'} calls/s`,
    `  region quotas: ${quotas}`,
    `  machine types: ${settings.machineTypes.map((type) => type.name).join(', ')}`,
    '  images: debian-cloud (families debian-11, debian-12), ubuntu-os-cloud (family ubuntu-2204-lts)',
    '',
    `Credentials: curl -s ${fake.url}/_fake/credentials.json > gce-credentials.json`,
    '             export GOOGLE_APPLICATION_CREDENTIALS=$PWD/gce-credentials.json',
    `Provider:    endpoint-url: ${fake.url}`,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the fake GCE', readOptions, start: startFakeGce, describe });
