import { mkdtemp, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { ZooKeeperJvm } from './java-command.js';
import { LocalZooKeeperServer } from './local-zookeeper-server.js';
import type { TlsMaterial } from './tls-material.js';
import { renderZooKeeperConfig, type ZooKeeperConfig } from './zookeeper-config.js';
import { ZooKeeperStartError } from './zookeeper-start-error.js';

/** Inputs of {@link createLocalZooKeeper}. */
export interface CreateLocalZooKeeperOptions extends Omit<ZooKeeperConfig, 'dataDir' | 'tls'> {
  /** Data directory; by default `data/` in the server's own temp dir. */
  dataDir?: string | undefined;
  tls?: TlsMaterial | undefined;
  /** For an ensemble member: written to `myid` in the data directory. */
  myId?: number | undefined;
  startTimeoutMs: number;
  jvm?: ZooKeeperJvm | undefined;
}

/**
 * Creates a server's temp dir (`nodepool-zk-*`), data dir and `zoo.cfg`, without starting it.
 */
export async function createLocalZooKeeper(options: CreateLocalZooKeeperOptions): Promise<LocalZooKeeperServer> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-zk-'));
  // zoo.cfg paths are taken relative to the JVM's working directory, which is the temp dir.
  const dataDir = options.dataDir === undefined ? join(dir, 'data') : resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  if (options.myId !== undefined) await writeFile(join(dataDir, 'myid'), `${options.myId}\n`);
  const configFile = join(dir, 'zoo.cfg');
  const { tls, myId: _myId, startTimeoutMs, jvm, ...config } = options;
  await writeFile(configFile, renderZooKeeperConfig({ ...config, dataDir, tls: tls?.server }));
  return new LocalZooKeeperServer({ dir, configFile, dataDir, port: options.clientPort, tls: tls?.client, startTimeoutMs, jvm });
}

/**
 * Runs `attempt` up to three times while it fails because a port it was given got taken in the
 * meantime (by a server started concurrently elsewhere, say).
 */
export async function retryOnPortClash<T>(attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      return await attempt();
    } catch (error) {
      if (tries >= 3 || !(error instanceof ZooKeeperStartError) || !error.portInUse) throw error;
    }
  }
}
