#!/usr/bin/env node
// A fake Kubernetes API server in the foreground, for trials, demos and benchmarks.
import { givenOptions, numberFlag, readFakeCloudFlags, requiredPortFlag, runFakeCloudCommand } from '@nodepool/core/testing';
import { startFakeK8s, type FakeK8sHandle, type StartFakeK8sOptions } from '../testing/index.js';

const usage = `Usage: nodepool-fake-k8s --port N [options]

Runs a fake Kubernetes API server until Ctrl-C: core/v1 (namespaces, pods, service accounts,
secrets), rbac/v1 and, with --openshift, OpenShift's project and authorization APIs, on one
HTTPS port with a CA of its own; state in memory, for Nodepool's kubernetes, openshift and
openshiftpods drivers and for kubectl. For tests and demos; not Kubernetes.

  --port N                  port to listen on (0: a free one)
  --host H                  address to listen on (default 127.0.0.1)
  --plain-http              serve HTTP instead of HTTPS
  --openshift               also serve projects, projectrequests and authorization.openshift.io
  --pod-start-delay-ms N    time a pod stays Pending before it runs (default 0)
  --pod-delete-delay-ms N   time a deleted pod stays Terminating (default 0)
  --namespace-delete-delay-ms N
                            time a deleted namespace stays Terminating (default 0)
  --token-delay-ms N        time the token controller takes to fill a token (default 0)
  --pods-per-namespace N    a ResourceQuota of N pods in every namespace
  --latency-ms N            added to every API call (default 0)
  --admin-token T           the administrator's bearer token (default fake-admin-token)
  --kubeconfig-context C    the context name of the printed kubeconfig (default fake)
  -h, --help                show this help

Control plane (JSON): GET /_fake/calls, GET/POST /_fake/settings, POST /_fake/faults,
POST /_fake/pod-failures, GET /_fake/state, POST /_fake/namespaces, POST /_fake/pods,
POST /_fake/reset; GET /_fake/kubeconfig gives a kubeconfig for this fake.`;

interface CommandOptions extends StartFakeK8sOptions {
  readonly contextName: string;
}

function readOptions(argv: string[]): CommandOptions | 'help' {
  const values = readFakeCloudFlags(argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    'plain-http': { type: 'boolean', default: false },
    openshift: { type: 'boolean', default: false },
    'pod-start-delay-ms': { type: 'string' },
    'pod-delete-delay-ms': { type: 'string' },
    'namespace-delete-delay-ms': { type: 'string' },
    'token-delay-ms': { type: 'string' },
    'pods-per-namespace': { type: 'string' },
    'latency-ms': { type: 'string' },
    'admin-token': { type: 'string' },
    'kubeconfig-context': { type: 'string' },
  });
  if (values === 'help') return 'help';
  const port = requiredPortFlag(values);
  const podsPerNamespace = numberFlag(values, 'pods-per-namespace');
  return {
    port,
    host: values.host,
    tls: !values['plain-http'],
    openshift: values.openshift,
    podStartDelayMs: numberFlag(values, 'pod-start-delay-ms'),
    podDeleteDelayMs: numberFlag(values, 'pod-delete-delay-ms'),
    namespaceDeleteDelayMs: numberFlag(values, 'namespace-delete-delay-ms'),
    tokenDelayMs: numberFlag(values, 'token-delay-ms'),
    latencyMs: numberFlag(values, 'latency-ms'),
    ...(podsPerNamespace !== undefined ? { podsPerNamespace } : {}),
    ...(values['admin-token'] ? { adminToken: values['admin-token'] } : {}),
    contextName: values['kubeconfig-context'] ?? 'fake',
  };
}

let contextName = 'fake';

function start(options: CommandOptions): Promise<FakeK8sHandle> {
  const { contextName: name, ...fakeOptions } = options;
  contextName = name;
  // Flags left out keep the fake's defaults.
  const defined = givenOptions(fakeOptions) as StartFakeK8sOptions;
  return startFakeK8s(defined);
}

function describe(fake: FakeK8sHandle): string {
  const settings = fake.settings();
  return [
    `nodepool-fake-k8s: a fake Kubernetes${settings.openshift ? ' (and OpenShift)' : ''} API server for tests and demos, not Kubernetes`,
    `listening on ${fake.url}`,
    `  pods start after ${settings.podStartDelayMs} ms; latency ${settings.latencyMs} ms; ${settings.podsPerNamespace === null ? 'no pod quota' : `${settings.podsPerNamespace} pods per namespace`}`,
    '',
    `A kubeconfig for it (context "${contextName}"): curl -sk ${fake.url}/_fake/kubeconfig`,
    '',
    fake.kubeconfig({ context: contextName }).trimEnd(),
    '',
    'Press Ctrl-C to stop.',
  ].join('\n');
}

runFakeCloudCommand({ usage, what: 'the fake Kubernetes', readOptions, start, describe });
