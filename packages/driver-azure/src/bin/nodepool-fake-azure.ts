#!/usr/bin/env node
// A fake Azure in the foreground, for trials, demos and benchmarks.
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { FakeCloudUsageError, givenOptions, numberFlag, readFakeCloudFlags, requiredPortFlag, runFakeCloudCommand } from '@nodepool/core/testing';
import { startFakeAzure, type FakeAzureHandle, type StartFakeAzureOptions } from '../testing/index.js';

const usage = `Usage: nodepool-fake-azure --port N [options]

Runs a fake Azure until Ctrl-C, over HTTPS with a CA of its own: the identity platform's token
endpoint (client credentials), Resource Manager for resource groups, virtual networks, public
IP addresses, network interfaces, virtual machines, disks, images, compute usages and SKUs, with
long-running operations, and page blobs for disk uploads; state in memory. For tests and demos;
not Azure.

  --port N               port to listen on (0: a free one)
  --host H               address to listen on (default 127.0.0.1)
  --dir D                where to write ca.pem and azure.json (default ./fake-azure)
  --location L           a location (default eastus, westeurope, centralus; repeatable)
  --boot-delay-ms N      time a VM stays Creating (default 0)
  --delete-delay-ms N    time a deleted VM stays Deleting (default 0)
  --retry-after-s N      Retry-After of long-running operations (default: none sent)
  --quota NAME=N         cores or virtualMachines (repeatable)
  --latency-ms N         added to every API call (default 0)
  --rate N               ARM calls a second before 429s (default 0: no limit)
  -h, --help             show this help

It starts with resource group "nodepool" holding virtual network "nodepool" (subnet "default").
Control plane (JSON): GET/DELETE /_fake/calls, GET/POST /_fake/settings, POST /_fake/faults,
POST /_fake/boot-failures, GET /_fake/state, POST /_fake/leaks, POST /_fake/networks,
POST /_fake/reset, GET /_fake/auth.json.`;

interface Options extends StartFakeAzureOptions {
  dir: string;
}

function readOptions(argv: string[]): Options | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    dir: { type: 'string' },
    location: { type: 'string', multiple: true },
    'boot-delay-ms': { type: 'string' },
    'delete-delay-ms': { type: 'string' },
    'retry-after-s': { type: 'string' },
    quota: { type: 'string', multiple: true },
    'latency-ms': { type: 'string' },
    rate: { type: 'string' },
  });
  if (values === 'help') return 'help';
  const port = requiredPortFlag(values);
  const quotas: Record<string, number> = {};
  for (const entry of values.quota ?? []) {
    const match = /^(cores|virtualMachines)=(\d+)$/.exec(entry);
    if (!match) throw new FakeCloudUsageError(`--quota must look like cores=100 (cores or virtualMachines), not "${entry}"`);
    quotas[match[1]!] = Number(match[2]);
  }
  const options: Record<string, unknown> = {
    port,
    host: values.host,
    locations: values.location,
    bootDelayMs: numberFlag(values, 'boot-delay-ms'),
    deleteDelayMs: numberFlag(values, 'delete-delay-ms'),
    retryAfterS: numberFlag(values, 'retry-after-s'),
    latencyMs: numberFlag(values, 'latency-ms'),
    ratePerSecond: numberFlag(values, 'rate'),
    ...(Object.keys(quotas).length > 0 ? { quotas } : {}),
  };
  return { ...(givenOptions(options) as StartFakeAzureOptions), dir: resolve(values.dir ?? 'fake-azure') };
}

async function start(options: Options): Promise<FakeAzureHandle & { dir: string }> {
  const { dir, ...rest } = options;
  const fake = await startFakeAzure(rest);
  await mkdir(dir, { recursive: true });
  await writeFile(join(dir, 'ca.pem'), fake.caCert);
  await writeFile(join(dir, 'azure.json'), `${JSON.stringify(fake.authFile(), null, 2)}\n`, { mode: 0o600 });
  return Object.assign(fake, { dir });
}

function describe(fake: FakeAzureHandle & { dir: string }): string {
  const settings = fake.settings();
  return [
    'nodepool-fake-azure: a fake Azure (identity platform, Resource Manager, disk blobs) for tests and demos, not Azure',
    `listening on ${fake.url}  (locations ${settings.locations.join(', ')}; subscription ${fake.identity.subscriptionId})`,
    `  boot delay ${settings.bootDelayMs} ms, latency ${settings.latencyMs} ms, rate ${settings.ratePerSecond || 'unlimited'} calls/s`,
    `  quotas: cores ${settings.quotas.cores}, virtualMachines ${settings.quotas.virtualMachines}; sizes ${settings.vmSizes.map((size) => size.name).join(', ')}`,
    '  network: resource group nodepool, virtual network nodepool, subnet default',
    '',
    `Trust its CA:  export NODE_EXTRA_CA_CERTS=${join(fake.dir, 'ca.pem')}   (before starting the launcher)`,
    `Provider:      auth-path: ${join(fake.dir, 'azure.json')}`,
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the fake Azure', readOptions, start, describe });
