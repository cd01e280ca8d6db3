import { KubeConfig } from '@kubernetes/client-node';
import { getLogger, PacedRateLimiter, type RateLimiter } from '@nodepool/core';
import type { FakeK8sHandle } from '@nodepool/driver-k8s/testing';
import { ApiCalls } from '../../src/client/api-calls.js';
import { KubeClient } from '../../src/client/kube-client.js';
import { OpenshiftClient } from '../../src/client/openshift-client.js';

/** A limiter that lets everything through at once and counts what went through it. */
export class CountingLimiter implements RateLimiter {
  runs = 0;
  readonly backOffs: number[] = [];
  private readonly inner = new PacedRateLimiter(Infinity);

  run<T>(call: () => Promise<T>): Promise<T> {
    this.runs++;
    return this.inner.run(call);
  }

  backOff(ms?: number): void {
    this.backOffs.push(ms ?? 1000);
    this.inner.backOff(ms);
  }
}

/** The drivers' clients for a fake, with counting limiters. */
export async function clientsFor(fake: FakeK8sHandle, options: { timeoutMs?: number; throttleRetries?: number } = {}) {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(fake.kubeconfig());
  const limits = { mutating: new CountingLimiter(), readOnly: new CountingLimiter() };
  const calls = new ApiCalls(limits, getLogger('test.driver-k8s'), options);
  return { kubeConfig, limits, calls, kube: await KubeClient.connect(kubeConfig, calls), openshift: new OpenshiftClient(kubeConfig, calls) };
}
