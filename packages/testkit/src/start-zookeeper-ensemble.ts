import { createLocalZooKeeper, retryOnPortClash } from './create-local-zookeeper.js';
import { ensureZooKeeperInstalled } from './ensure-zookeeper-installed.js';
import { findFreePorts } from './find-free-ports.js';
import type { LocalZooKeeper } from './local-zookeeper.js';
import type { LocalZooKeeperServer } from './local-zookeeper-server.js';
import { waitFor } from './wait-for.js';
import { ZooKeeperStartError } from './zookeeper-start-error.js';

/** Options of {@link startZooKeeperEnsemble}. */
export interface StartZooKeeperEnsembleOptions {
  /** Number of servers. Default 3. */
  size?: number;
  /** ZooKeeper's tick. Default 2000 ms; see {@link StartZooKeeperOptions.tickTimeMs}. */
  tickTimeMs?: number;
  /** Lower bound for negotiated session timeouts. Default 2 ticks. */
  minSessionTimeoutMs?: number;
  /** Upper bound for negotiated session timeouts. Default 20 ticks. */
  maxSessionTimeoutMs?: number;
  /** How long to wait for every server to join the quorum. Default 60 000 ms. */
  startTimeoutMs?: number;
}

/** A throwaway ZooKeeper ensemble on 127.0.0.1; see {@link startZooKeeperEnsemble}. */
export interface LocalEnsemble {
  /** The members, `servers[i]` having myid `i + 1`. Each can be stopped, killed and restarted alone. */
  readonly servers: readonly LocalZooKeeper[];
  /** Every member's `127.0.0.1:PORT`, comma-separated. */
  readonly connectString: string;
  /**
   * The member that is leader now, waiting (default up to 30 s) until there is one, e.g. while
   * the others elect a new leader after the old one was killed.
   */
  leader(options?: { timeoutMs?: number }): Promise<LocalZooKeeper>;
  /** Starts every member that is not running, concurrently, and waits until all serve. */
  start(): Promise<void>;
  /** Stops every member, keeping their data. */
  stop(): Promise<void>;
  /** Stops every member and removes their temp dirs. */
  destroy(): Promise<void>;
}

/**
 * Starts an ensemble of `size` ZooKeeper servers on free ports of 127.0.0.1 and resolves once
 * every member is leader or follower. Installs ZooKeeper first if needed.
 *
 * @throws ZooKeeperStartError (from the first member that failed) when the quorum does not form.
 */
export async function startZooKeeperEnsemble(options: StartZooKeeperEnsembleOptions = {}): Promise<LocalEnsemble> {
  const { size = 3, tickTimeMs = 2000 } = options;
  if (!Number.isInteger(size) || size < 1 || size > 255) throw new RangeError(`ensemble size must be 1..255, not ${size}`);
  await ensureZooKeeperInstalled();
  // A follower must connect and sync within initLimit ticks and keep up within syncLimit ticks:
  // about 10 s and 2 s, but never fewer ticks than ZooKeeper's usual minimum.
  const initLimit = Math.max(5, Math.ceil(10_000 / tickTimeMs));
  const syncLimit = Math.max(2, Math.ceil(2000 / tickTimeMs));

  return retryOnPortClash(async () => {
    const ports = await findFreePorts(3 * size);
    const peers = Array.from({ length: size }, (_, i) => ({
      id: i + 1,
      clientPort: ports[3 * i] ?? 0,
      peerPort: ports[3 * i + 1] ?? 0,
      electionPort: ports[3 * i + 2] ?? 0,
    }));
    const servers = await Promise.all(
      peers.map((peer) =>
        createLocalZooKeeper({
          clientPort: peer.clientPort,
          myId: peer.id,
          tickTimeMs,
          minSessionTimeoutMs: options.minSessionTimeoutMs,
          maxSessionTimeoutMs: options.maxSessionTimeoutMs,
          ensemble: { peers, initLimit, syncLimit },
          startTimeoutMs: options.startTimeoutMs ?? 60_000,
        }),
      ),
    );
    const ensemble = new Ensemble(servers);
    try {
      await ensemble.start();
      return ensemble;
    } catch (error) {
      if (error instanceof ZooKeeperStartError && error.portInUse) {
        await ensemble.destroy();
      } else {
        await ensemble.stop();
        for (const server of servers) server.keepForDebugging();
      }
      throw error;
    }
  });
}

class Ensemble implements LocalEnsemble {
  readonly connectString: string;

  constructor(readonly servers: readonly LocalZooKeeperServer[]) {
    this.connectString = servers.map((server) => server.connectString).join(',');
  }

  async leader(options: { timeoutMs?: number } = {}): Promise<LocalZooKeeper> {
    return waitFor(
      async () => {
        const modes = await Promise.all(this.servers.map((server) => server.mode()));
        return this.servers[modes.indexOf('leader')];
      },
      { timeoutMs: options.timeoutMs ?? 30_000, intervalMs: 100, message: `no leader in ensemble ${this.connectString}` },
    );
  }

  async start(): Promise<void> {
    // allSettled: a member that fails must not leave the others' start-ups unawaited.
    const results = await Promise.allSettled(this.servers.map((server) => server.start()));
    const failure = results.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.filter((server) => server.running).map((server) => server.stop()));
  }

  async destroy(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.destroy()));
  }
}
