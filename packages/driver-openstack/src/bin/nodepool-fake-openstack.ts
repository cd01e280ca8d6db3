#!/usr/bin/env node
// A fake OpenStack in the foreground, for trials, demos and benchmarks.
import { FakeCloudUsageError, numberFlag, readFakeCloudFlags, requiredPortFlag, runFakeCloudCommand } from '@nodepool/core/testing';
import { startFakeOpenStack, type FakeOpenStackHandle, type FakeOpenStackOptions } from '../testing/index.js';

const usage = `Usage: nodepool-fake-openstack --port N [options]

Runs a fake OpenStack until Ctrl-C: Keystone v3, Nova, Neutron, Glance v2 and Cinder v3 on one
HTTP port (under /identity, /compute, /network, /image, /volume), state in memory, for
Nodepool's openstack driver and any OpenStack client. For tests and demos; not OpenStack.

  --port N                  port to listen on (0: a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --region R                region name (default RegionOne; repeat for more regions)
  --zone Z                  Nova availability zone (default nova; repeatable)
  --boot-delay-ms N         time a server stays BUILD (default 0)
  --delete-delay-ms N       time a deleted server stays listed (default 0)
  --floating-ip-delay-ms N  time an associated floating IP stays DOWN (default 0)
  --token-ttl-s N           token lifetime (default 3600)
  --fixed-address A         every tenant fixed IPv4 address is A (e.g. 127.0.0.1)
  --floating-address A      every floating IP is A (e.g. 127.0.0.1, for key scans)
  --quota NAME=N            instances, cores, ram, volumes, gigabytes, floatingips or ports
                            (-1 unlimited; repeatable)
  --latency-ms N            added to every API call (default 0)
  -h, --help                show this help

Control plane (JSON): GET /_fake/calls, GET/POST /_fake/settings, POST /_fake/faults,
POST /_fake/boot-failures, GET /_fake/state, POST /_fake/reset; GET /_fake/clouds.yaml gives
a clouds.yaml for this fake.`;

const QUOTA_NAMES = ['instances', 'cores', 'ram', 'volumes', 'gigabytes', 'floatingips', 'ports'];

function readOptions(argv: string[]): FakeOpenStackOptions | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    region: { type: 'string', multiple: true },
    zone: { type: 'string', multiple: true },
    'boot-delay-ms': { type: 'string' },
    'delete-delay-ms': { type: 'string' },
    'floating-ip-delay-ms': { type: 'string' },
    'token-ttl-s': { type: 'string' },
    'fixed-address': { type: 'string' },
    'floating-address': { type: 'string' },
    quota: { type: 'string', multiple: true },
    'latency-ms': { type: 'string' },
  });
  if (values === 'help') return 'help';
  const port = requiredPortFlag(values);
  const quotas: Record<string, number> = {};
  for (const entry of values.quota ?? []) {
    const match = /^([a-z]+)=(-1|\d+)$/.exec(entry);
    if (!match || !QUOTA_NAMES.includes(match[1]!)) throw new FakeCloudUsageError(`--quota must look like cores=64 (one of ${QUOTA_NAMES.join(', ')}), not "${entry}"`);
    quotas[match[1]!] = Number(match[2]);
  }
  const ttl = numberFlag(values, 'token-ttl-s');
  return {
    port,
    host: values.host,
    regions: values.region,
    zones: values.zone,
    bootDelayMs: numberFlag(values, 'boot-delay-ms'),
    deleteDelayMs: numberFlag(values, 'delete-delay-ms'),
    floatingIpDelayMs: numberFlag(values, 'floating-ip-delay-ms'),
    tokenTtlMs: ttl === undefined ? undefined : ttl * 1000,
    fixedAddress: values['fixed-address'],
    floatingAddress: values['floating-address'],
    quotas,
    latencyMs: numberFlag(values, 'latency-ms'),
  };
}

function describe(fake: FakeOpenStackHandle): string {
  const settings = fake.settings();
  const quota = (value: number) => (value === -1 ? 'unlimited' : String(value));
  return [
    'nodepool-fake-openstack: a fake OpenStack (Keystone v3, Nova, Neutron, Glance v2, Cinder v3) for tests and demos, not OpenStack',
    `listening on ${fake.url}  (regions ${settings.regions.join(', ')}, zones ${settings.zones.join(', ')})`,
    `  boot delay ${settings.bootDelayMs} ms, latency ${settings.latencyMs} ms, tokens live ${settings.tokenTtlMs / 1000} s`,
    `  quotas: instances ${quota(settings.quotas.instances)}, cores ${quota(settings.quotas.cores)}, ram ${quota(settings.quotas.ram)} MiB, volumes ${quota(settings.quotas.volumes)}, floating IPs ${quota(settings.quotas.floatingips)}`,
    `  flavors: ${settings.flavors.map((flavor) => flavor.name).join(', ')}; networks: public (external), private; keypair: zuul`,
    '',
    `A clouds.yaml for it (cloud "fake"): curl -s ${fake.url}/_fake/clouds.yaml`,
    '',
    fake.cloudsYaml('fake').trimEnd(),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the fake OpenStack', readOptions, start: startFakeOpenStack, describe });
