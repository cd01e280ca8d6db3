#!/usr/bin/env node
// A simulated cloud in the foreground, for the quickstart, demos and benchmarks.
import { FakeCloudUsageError, readFakeCloudFlags, runFakeCloudCommand } from '@nodepool/core/testing';
import { startSimCloud, type SimCloudHandle } from '../cloud/index.js';
import type { SimCloudOptions } from '../cloud/sim-cloud-options.js';

const usage = `Usage: nodepool-sim-cloud --port N [options]

Runs a simulated cloud until Ctrl-C: an HTTP/JSON API keeping instances, images and quota in
memory, for Nodepool's sim driver. A simulator for tests and demos, not a cloud.

  --port N             port to listen on (0: a free one)
  --host H             address to listen on (default 127.0.0.1)
  --boot-delay-ms N    time an instance stays "building" (default 0: running at once)
  --delete-delay-ms N  time a deleted instance stays "deleting" (default 0)
  --failure-rate F     share of instances that end in "error", 0 to 1 (default 0)
  --seed N             seed of the failure draws (default 1)
  --max-instances N    quota limits (default: unlimited)
  --max-cores N
  --max-ram N          MiB
  --rate-limit N       API requests per second; beyond it HTTP 429 (default: unlimited)
  --address A          address instances report (default 127.0.0.1)
  --ssh-port N         SSH port instances report (default 22)
  --zones A,B          availability zones (default sim-a,sim-b)
  -h, --help           show this help

Settings change at run time with POST /_sim/config; GET /_sim/calls counts API calls.`;

function number(values: Record<string, unknown>, flag: string, check: (n: number) => boolean, what: string): number | undefined {
  const text = values[flag];
  if (text === undefined) return undefined;
  const value = Number(text);
  if (text === '' || !check(value)) throw new FakeCloudUsageError(`--${flag} must be ${what}, not "${String(text)}"`);
  return value;
}

const isCount = (n: number): boolean => Number.isInteger(n) && n >= 0;

function readOptions(argv: string[]): SimCloudOptions | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'boot-delay-ms': { type: 'string' },
    'delete-delay-ms': { type: 'string' },
    'failure-rate': { type: 'string' },
    seed: { type: 'string' },
    'max-instances': { type: 'string' },
    'max-cores': { type: 'string' },
    'max-ram': { type: 'string' },
    'rate-limit': { type: 'string' },
    address: { type: 'string' },
    'ssh-port': { type: 'string' },
    zones: { type: 'string' },
  });
  if (values === 'help') return 'help';
  const port = number(values, 'port', (n) => isCount(n) && n < 65536, 'a port number');
  if (port === undefined) throw new FakeCloudUsageError('--port is required (0 for a free port)');
  return {
    port,
    host: values.host,
    bootDelayMs: number(values, 'boot-delay-ms', isCount, 'a number of milliseconds'),
    deleteDelayMs: number(values, 'delete-delay-ms', isCount, 'a number of milliseconds'),
    failureRate: number(values, 'failure-rate', (n) => n >= 0 && n <= 1, 'a number from 0 to 1'),
    seed: number(values, 'seed', Number.isInteger, 'an integer'),
    maxInstances: number(values, 'max-instances', isCount, 'a count'),
    maxCores: number(values, 'max-cores', isCount, 'a count'),
    maxRam: number(values, 'max-ram', isCount, 'a number of MiB'),
    rateLimit: number(values, 'rate-limit', (n) => n >= 0 && Number.isFinite(n), 'a number of requests per second'),
    address: values.address,
    sshPort: number(values, 'ssh-port', (n) => isCount(n) && n > 0 && n < 65536, 'a port number'),
    zones: values.zones?.split(',').map((zone) => zone.trim()),
  };
}

function describe(cloud: SimCloudHandle): string {
  const settings = cloud.settings();
  const limit = (value: number | null): string => (value === null ? 'unlimited' : String(value));
  const images = cloud.images();
  const [image] = images;
  const [flavor] = settings.flavors;
  return [
    'nodepool-sim-cloud: a simulated cloud (a simulator for tests and demos, not a cloud)',
    `listening on ${cloud.url}`,
    `  boot delay ${settings.bootDelayMs} ms, delete delay ${settings.deleteDelayMs} ms, failure rate ${settings.failureRate}, ` +
      `rate limit ${settings.rateLimit === null ? 'none' : `${settings.rateLimit} requests/s`}`,
    `  quota: instances ${limit(settings.maxInstances)}, cores ${limit(settings.maxCores)}, ram ${settings.maxRam === null ? 'unlimited' : `${settings.maxRam} MiB`}`,
    `  flavors: ${settings.flavors.map((f) => `${f.name} (${f.cores} ${f.cores === 1 ? 'core' : 'cores'}, ${f.ram} MiB)`).join(', ')}`,
    `  zones: ${settings.zones.join(', ')}; images: ${images.map((i) => `${i.name} (${i.id})`).join(', ') || 'none'}`,
    `  instances report ${settings.address}, SSH port ${settings.sshPort}`,
    '',
    'Nodepool configuration:',
    '',
    'providers:',
    '  - name: sim',
    '    driver: sim',
    `    endpoint: ${cloud.url}`,
    ...(image ? ['    cloud-images:', `      - name: ${image.name}`] : []),
    '    pools:',
    '      - name: main',
    '        max-servers: 10',
    '        labels:',
    `          - name: sim-${flavor?.name ?? 'small'}`,
    `            flavor: ${flavor?.name ?? 'small'}`,
    ...(image ? [`            cloud-image: ${image.name}`] : []),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the simulated cloud', readOptions, start: startSimCloud, describe });
