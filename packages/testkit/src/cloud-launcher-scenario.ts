import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ZooKeeperClient } from '@nodepool/zookeeper';
import { ZuulClient, type SubmittedRequest } from '@nodepool/zuul-client';
import type { ScenarioAssertions } from './cloud-launcher-steps.js';
import { waitFor } from './wait-for.js';

/*
 * The frame of a cloud driver's end-to-end launcher test: a launcher on the driver's provider
 * (core's `launcherCluster`), the Zuul-like client and the caches of requests and nodes, and a
 * launcher killed mid-launch whose leftovers another one cleans up. The driver's test brings its
 * fake cloud, its provider YAML and what "launched" and "gone" mean in its cloud's terms.
 *
 * Typed structurally (testkit does not depend on core): hand in core's `launcherCluster`,
 * bound to the test's ZooKeeper and the driver, and its own types flow through.
 */

/** The part of core's `Cluster` (from `@nodepool/core/testing`) the frame uses. */
export interface ScenarioCluster {
  readonly dir: string;
  configText(body: string): string;
  launcher(body: string, options?: { hostname?: string }): Promise<unknown>;
  client(): Promise<ZooKeeperClient>;
  store(): Promise<{ requestCache(): Promise<unknown>; nodeCache(): Promise<unknown> }>;
}

type StoreOf<C extends ScenarioCluster> = Awaited<ReturnType<C['store']>>;

/** What {@link CloudLauncherScenario.start} gives a test. */
export interface StartedScenario<C extends ScenarioCluster> {
  readonly c: C;
  readonly launcher: Awaited<ReturnType<C['launcher']>>;
  readonly zuul: ZuulClient;
  readonly store: StoreOf<C>;
  readonly requests: Awaited<ReturnType<StoreOf<C>['requestCache']>>;
  readonly nodes: Awaited<ReturnType<StoreOf<C>['nodeCache']>>;
}

/** The nodes as the node cache lists them (core's `NodeCache` fits). */
export interface NodeListing {
  values(): Iterable<{ readonly state: string; readonly externalId: string | null }>;
}

/** A launch abandoned by a killed launcher, described in the cloud's terms. */
export interface KilledMidLaunchOptions<Id> {
  /** The driver's `test/fixtures/launcher-process.ts`: `CONFIG HOSTNAME`, prints "started". */
  readonly script: URL;
  /** The configuration without ZooKeeper settings (the driver's provider YAML). */
  readonly yaml: string;
  /**
   * The killed launcher's session (`zookeeper-timeout`, default 4 s: short, so that its end is
   * seen soon) and the survivor's (default the same; `cluster` keeps the cluster's 10 s).
   */
  readonly sessionS?: number;
  readonly survivorSession?: 'same' | 'cluster';
  /** Added to the killed launcher's environment. */
  readonly env?: Readonly<Record<string, string>>;
  /** What the request asks for (default one `small`). */
  readonly labels?: readonly string[];
  /** Whether the cloud holds the launch's resource yet (besides the node record's external ID). */
  launched?(): boolean;
  /** The abandoned resource, read just before the kill. */
  abandoned(): Id;
  /** After the kill, before the survivor starts: let the cloud boot at once again. */
  afterKill(): void;
  /** Whether the abandoned resource is gone from the cloud. */
  gone(abandoned: Id): boolean;
  /** Said when it stays. */
  readonly goneMessage: string;
}

/** The frame, bound to one driver and ZooKeeper. */
export interface CloudLauncherScenario<C extends ScenarioCluster> {
  /** A launcher on `yaml` (with `options`, such as timings or stats), the client and the caches. */
  start(t: ScenarioAssertions, yaml: string, options?: Parameters<C['launcher']>[1]): Promise<StartedScenario<C>>;
  /**
   * A launcher in a process of its own takes a request and starts a launch; it is killed; a
   * survivor serves the request and deletes the abandoned resource. Asserts as it goes; returns
   * the cluster and what it served for the test's own further checks.
   */
  killedMidLaunch<Id>(t: ScenarioAssertions, options: KilledMidLaunchOptions<Id>): Promise<{ c: C; zuul: ZuulClient; nodes: StartedScenario<C>['nodes']; request: SubmittedRequest; abandoned: Id }>;
}

/**
 * The frame for one driver's launcher tests:
 *
 * ```ts
 * const zk = useZooKeeper(test);
 * const scenario = cloudLauncherScenario((t) => launcherCluster(t, zk(), [awsDriver]));
 * test('…', async (t) => { const { zuul, nodes } = await scenario.start(t, awsYaml(fake)); … });
 * ```
 */
export function cloudLauncherScenario<C extends ScenarioCluster>(newCluster: (t: ScenarioAssertions) => Promise<C>): CloudLauncherScenario<C> {
  return {
    async start(t, yaml, options) {
      const c = await newCluster(t);
      const launcher = (await c.launcher(yaml, options)) as StartedScenario<C>['launcher'];
      const zuul = new ZuulClient(await c.client());
      const store = (await c.store()) as StoreOf<C>;
      const requests = (await store.requestCache()) as StartedScenario<C>['requests'];
      const nodes = (await store.nodeCache()) as StartedScenario<C>['nodes'];
      return { c, launcher, zuul, store, requests, nodes };
    },

    async killedMidLaunch(t, options) {
      const c = await newCluster(t);
      const doomed = `zookeeper-timeout: ${options.sessionS ?? 4}\n${options.yaml}`;
      const file = join(c.dir, 'doomed.yaml');
      await writeFile(file, c.configText(doomed));
      const child = spawn(process.execPath, ['--import=tsx', '--conditions=source', fileURLToPath(options.script), file, 'nl-doomed'], {
        stdio: ['ignore', 'pipe', 'inherit'],
        env: { ...process.env, ...options.env },
      });
      t.teardown(() => child.kill('SIGKILL'));
      const [started] = (await once(child.stdout!, 'data')) as [Buffer];
      t.is(started.toString().trim(), 'started');

      const zuul = new ZuulClient(await c.client());
      const nodes = (await (await c.store()).nodeCache()) as StartedScenario<C>['nodes'];
      const request = await zuul.requestNodes(options.labels ?? ['small']);
      if (options.launched) await waitFor(() => options.launched!(), { timeoutMs: 20_000, message: 'the killed launcher’s launch did not reach the cloud' });
      const listing = nodes as unknown as NodeListing;
      await waitFor(() => [...listing.values()].some((node) => node.state === 'building' && node.externalId), { timeoutMs: 20_000, message: 'no node was building' });
      const abandoned = options.abandoned();
      child.kill('SIGKILL');
      await once(child, 'exit');

      options.afterKill();
      await c.launcher(options.survivorSession === 'cluster' ? options.yaml : doomed, { hostname: 'nl-survivor' });
      t.is((await zuul.waitForRequest(request, { timeoutMs: 40_000 })).state, 'fulfilled');
      await waitFor(() => options.gone(abandoned), { timeoutMs: 30_000, message: options.goneMessage });
      return { c, zuul, nodes, request, abandoned };
    },
  };
}
