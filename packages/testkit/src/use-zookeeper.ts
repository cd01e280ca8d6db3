import type { LocalZooKeeper } from './local-zookeeper.js';
import { startZooKeeperEnsemble, type LocalEnsemble, type StartZooKeeperEnsembleOptions } from './start-zookeeper-ensemble.js';
import { startZooKeeper, type StartZooKeeperOptions } from './start-zookeeper.js';

/**
 * The part of ava's `test` that {@link useZooKeeper} needs. Typed structurally so this package
 * does not depend on ava; pass ava's `test` (or a `TestFn<Context>` from `test as TestFn<...>`).
 */
export interface TestHooks {
  before(implementation: () => Promise<void>): void;
  after: { always(implementation: () => Promise<void>): void };
}

/**
 * Gives a test file one ZooKeeper server: started in `test.before`, destroyed in
 * `test.after.always`, so it goes away even when tests fail.
 *
 * ```ts
 * const zk = useZooKeeper(test, { tickTimeMs: 200 });
 * test('connects', async (t) => { await connect(zk().connectString); ... });
 * ```
 *
 * @returns a getter for the server; it throws when called before the `before` hook has run.
 */
export function useZooKeeper(test: TestHooks, options?: StartZooKeeperOptions): () => LocalZooKeeper {
  return useResource(test, 'ZooKeeper server', () => startZooKeeper(options));
}

/** Like {@link useZooKeeper}, for a whole ensemble ({@link startZooKeeperEnsemble}). */
export function useZooKeeperEnsemble(test: TestHooks, options?: StartZooKeeperEnsembleOptions): () => LocalEnsemble {
  return useResource(test, 'ZooKeeper ensemble', () => startZooKeeperEnsemble(options));
}

function useResource<T extends { destroy(): Promise<void> }>(test: TestHooks, what: string, create: () => Promise<T>): () => T {
  let resource: T | undefined;
  test.before(async () => {
    resource = await create();
  });
  test.after.always(async () => {
    await resource?.destroy();
  });
  return () => {
    if (!resource) throw new Error(`The ${what} is not started: call the getter inside a test, after test.before has run.`);
    return resource;
  };
}
