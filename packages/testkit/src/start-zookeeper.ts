import type { ZooKeeperJvm } from './java-command.js';
import { createLocalZooKeeper, retryOnPortClash } from './create-local-zookeeper.js';
import { ensureZooKeeperInstalled } from './ensure-zookeeper-installed.js';
import { findFreePort } from './find-free-ports.js';
import type { LocalZooKeeper } from './local-zookeeper.js';
import { getTlsMaterial } from './tls-material.js';
import { ZooKeeperStartError } from './zookeeper-start-error.js';

/** Options of {@link startZooKeeper}. */
export interface StartZooKeeperOptions {
  /**
   * Serve TLS only, requiring a client certificate; the server's `tls` holds a CA and client
   * certificate to connect with. Default false.
   */
  tls?: boolean;
  /**
   * ZooKeeper's tick. Default 2000 ms. Session timeouts are bounded by 2 and 20 ticks unless set
   * below, so a small tick (200 ms) makes sessions expire quickly in tests.
   */
  tickTimeMs?: number;
  /** Lower bound for negotiated session timeouts. Default 2 ticks. */
  minSessionTimeoutMs?: number;
  /** Upper bound for negotiated session timeouts. Default 20 ticks. */
  maxSessionTimeoutMs?: number;
  /** Client port on 127.0.0.1. Default: a free port. */
  port?: number;
  /** Data directory, kept by `destroy()`. Default: a fresh one in the server's temp dir. */
  dataDir?: string;
  /** How long to wait for the server to serve. Default 30 000 ms. */
  startTimeoutMs?: number;
  /** JVM tuning: `small` (default) for tests, `server` for benchmarks. */
  jvm?: ZooKeeperJvm;
}

/**
 * Starts a standalone ZooKeeper server on a free port of 127.0.0.1, in a fresh temp dir, and
 * resolves once it serves clients. Installs ZooKeeper first if needed
 * ({@link ensureZooKeeperInstalled}).
 *
 * Call `destroy()` when done (or use {@link useZooKeeper} in ava tests); the server is killed
 * anyway when this process exits.
 *
 * @throws ZooKeeperStartError with the tail of the server log when it does not come up. Its
 * temp dir is then kept for a closer look.
 */
export async function startZooKeeper(options: StartZooKeeperOptions = {}): Promise<LocalZooKeeper> {
  await ensureZooKeeperInstalled();
  const tls = options.tls ? await getTlsMaterial() : undefined;
  const attempt = async (): Promise<LocalZooKeeper> => {
    const server = await createLocalZooKeeper({
      clientPort: options.port ?? (await findFreePort()),
      dataDir: options.dataDir,
      tickTimeMs: options.tickTimeMs ?? 2000,
      minSessionTimeoutMs: options.minSessionTimeoutMs,
      maxSessionTimeoutMs: options.maxSessionTimeoutMs,
      tls,
      startTimeoutMs: options.startTimeoutMs ?? 30_000,
      jvm: options.jvm,
    });
    try {
      await server.start();
      return server;
    } catch (error) {
      // A port we picked was taken meanwhile: nothing to debug, and we try again with another.
      if (error instanceof ZooKeeperStartError && error.portInUse && options.port === undefined) {
        await server.destroy();
      } else {
        server.keepForDebugging();
      }
      throw error;
    }
  };
  return options.port === undefined ? retryOnPortClash(attempt) : attempt();
}
