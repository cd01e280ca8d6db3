import type { ExecutionContext } from 'ava';
import { launcherCluster, type ZooKeeperEndpoint } from '@nodepool/core/testing';
import { ZuulClient } from '@nodepool/testkit';
import { testDrivers } from './test-drivers.js';

/** A launcher on `yaml` (test waits), the Zuul-like client, and the caches of requests and nodes. */
export async function launcherOn(t: ExecutionContext, zk: ZooKeeperEndpoint, yaml: string, timings = {}) {
  const c = await launcherCluster(t, zk, testDrivers);
  const launcher = await c.launcher(yaml, { timings });
  const zuul = new ZuulClient(await c.client());
  const store = await c.store();
  return { c, launcher, zuul, store, requests: await store.requestCache(), nodes: await store.nodeCache() };
}

/** Whether the launcher's pool component says it is paused (waiting for quota). */
export async function poolPaused(c: Awaited<ReturnType<typeof launcherOn>>['c']): Promise<boolean> {
  const client = await c.client();
  const { children } = await client.getChildren('/nodepool/components/pool');
  for (const component of children) {
    if ((JSON.parse((await client.getData(`/nodepool/components/pool/${component}`)).data.toString()) as { paused: boolean }).paused) return true;
  }
  return false;
}
