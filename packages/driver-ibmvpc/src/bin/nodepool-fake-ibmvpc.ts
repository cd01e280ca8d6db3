#!/usr/bin/env node
// A fake IBM Cloud in the foreground, for trials, demos and benchmarks.
import { numberFlag, portFlag, readFakeCloudFlags, requiredPortFlag, runFakeCloudCommand } from '@nodepool/core/testing';
import { startFakeIbmVpc, type FakeIbmVpcHandle, type StartFakeIbmVpcOptions } from '../testing/index.js';

const usage = `Usage: nodepool-fake-ibmvpc --port N [options]

Runs a fake IBM Cloud until Ctrl-C: IAM's token service, the VPC API (/v1), the Resource
Manager and Controller (/v2) on one port, Cloud Object Storage (S3, path style) on another;
state in memory, for Nodepool's ibmvpc driver and any IBM Cloud client. For tests and demos;
not IBM Cloud.

  --port N                  platform port (0: a free one)
  --cos-port N              Cloud Object Storage port (default 0: a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --region R                region (default us-south)
  --vpc NAME                the VPC present from the start (default nodepool)
  --boot-delay-ms N         time an instance stays pending (default 0)
  --delete-delay-ms N       time a deleted instance stays deleting (default 0)
  --floating-ip-delay-ms N  time a floating IP stays pending (default 0)
  --image-delay-ms N        time an uploaded image stays pending (default 0)
  --token-ttl-s N           IAM token lifetime (default 3600)
  --private-address A       every instance's private address is A (e.g. 127.0.0.1, for key scans)
  --floating-address A      every floating IP is A
  --api-key KEY             an API key IAM accepts (default fake-ibm-api-key; repeatable)
  --latency-ms N            added to every call (default 0)
  -h, --help                show this help

Control plane (JSON): GET /_fake/calls, GET/POST /_fake/settings, POST /_fake/faults,
POST /_fake/boot-failures, GET /_fake/state, POST /_fake/reset; GET /_fake/credentials gives a
credentials file for this fake (name it in the provider's credentials-file).`;

function readOptions(argv: string[]): StartFakeIbmVpcOptions | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    'cos-port': { type: 'string' },
    host: { type: 'string' },
    region: { type: 'string' },
    vpc: { type: 'string' },
    'boot-delay-ms': { type: 'string' },
    'delete-delay-ms': { type: 'string' },
    'floating-ip-delay-ms': { type: 'string' },
    'image-delay-ms': { type: 'string' },
    'token-ttl-s': { type: 'string' },
    'private-address': { type: 'string' },
    'floating-address': { type: 'string' },
    'api-key': { type: 'string', multiple: true },
    'latency-ms': { type: 'string' },
  });
  if (values === 'help') return 'help';
  const mainPort = requiredPortFlag(values);
  const ttl = numberFlag(values, 'token-ttl-s');
  return {
    port: mainPort,
    cosPort: portFlag(values, 'cos-port'),
    host: values.host,
    region: values.region,
    ...(values.region ? { zones: [1, 2, 3].map((index) => `${values.region}-${index}`) } : {}),
    vpcName: values.vpc,
    bootDelayMs: numberFlag(values, 'boot-delay-ms'),
    deleteDelayMs: numberFlag(values, 'delete-delay-ms'),
    floatingIpDelayMs: numberFlag(values, 'floating-ip-delay-ms'),
    imageDelayMs: numberFlag(values, 'image-delay-ms'),
    tokenTtlMs: ttl === undefined ? undefined : ttl * 1000,
    privateAddress: values['private-address'],
    floatingAddress: values['floating-address'],
    apiKeys: values['api-key'],
    latencyMs: numberFlag(values, 'latency-ms'),
  };
}

function describe(fake: FakeIbmVpcHandle): string {
  const settings = fake.settings();
  const state = fake.state();
  return [
    'nodepool-fake-ibmvpc: a fake IBM Cloud (IAM, VPC, Resource Manager and Controller, Cloud Object Storage) for tests and demos, not IBM Cloud',
    `listening on ${fake.url}  (region ${settings.region}, zones ${settings.zones.join(', ')}); Cloud Object Storage on ${fake.cosUrl}`,
    `  VPC ${state.vpcs.map((vpc) => vpc.name).join(', ')}; subnets ${state.subnets.map((subnet) => `${subnet.name} (${subnet.zone})`).join(', ')}; keys ${state.keys.map((key) => key.name).join(', ')}`,
    `  profiles ${settings.profiles.map((profile) => profile.name).join(', ')}; bucket ${state.buckets.map((bucket) => bucket.name).join(', ')} of "${state.serviceInstances[0]?.name ?? ''}"`,
    `  public images: ${state.images.filter((image) => image.visibility === 'public').map((image) => image.name).join(', ')}`,
    `  boot delay ${settings.bootDelayMs} ms, latency ${settings.latencyMs} ms, tokens live ${settings.tokenTtlMs / 1000} s`,
    '',
    `A credentials file for it (the provider's credentials-file): curl -s ${fake.url}/_fake/credentials`,
    '',
    fake.credentialsFile().trimEnd(),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the fake IBM Cloud', readOptions, start: startFakeIbmVpc, describe });
