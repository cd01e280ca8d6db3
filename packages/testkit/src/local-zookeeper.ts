import type { ProcessExit } from './spawn-watched.js';
import type { LocalZooKeeperTls } from './tls-material.js';

/** What `srvr` says a server is doing; anything but a serving answer is `'not serving'`. */
export type ZooKeeperMode = 'standalone' | 'leader' | 'follower' | 'not serving';

/**
 * A throwaway Apache ZooKeeper server on 127.0.0.1, started by {@link startZooKeeper} or as a
 * member of {@link startZooKeeperEnsemble}.
 *
 * The server keeps its port and data across {@link LocalZooKeeper.stop | stop}/{@link
 * LocalZooKeeper.kill | kill} and {@link LocalZooKeeper.start | start}, so sessions and znodes
 * survive a restart as they would on a real server. It is killed when the process that started it
 * exits, even by SIGKILL.
 */
export interface LocalZooKeeper {
  /** Always `'127.0.0.1'`. */
  readonly host: string;
  /** The client port (the TLS port for a TLS server, which has no plain port). */
  readonly port: number;
  /** `127.0.0.1:PORT`. */
  readonly connectString: string;
  /** The server's data directory (snapshots, transaction logs, `myid`). */
  readonly dataDir: string;
  /** The server's log (stdout and stderr of the JVM), kept until {@link LocalZooKeeper.destroy | destroy}. */
  readonly logFile: string;
  /** For a TLS server: the CA and a client certificate it accepts, plus one it refuses. */
  readonly tls?: LocalZooKeeperTls;
  /** Pid of the current JVM, or of the last one once stopped. */
  readonly pid: number;
  /** Whether the JVM is running (it may not be serving yet, or any more). */
  readonly running: boolean;

  /**
   * Starts the server again, on the same port with the same data, after `stop()` or `kill()`.
   * Resolves once it serves clients; for an ensemble member that means once it has rejoined a
   * quorum, so restart members that can only form one together concurrently. Does nothing when
   * it is running.
   *
   * @throws ZooKeeperStartError with the log tail when it exits or does not serve in time.
   */
  start(): Promise<void>;
  /**
   * Stops the JVM with SIGTERM, then SIGKILL if it has not exited within a few seconds, and
   * resolves with how it exited once it has. Keeps the data directory.
   */
  stop(): Promise<ProcessExit>;
  /** Kills the JVM with SIGKILL, simulating a crash; resolves once it has exited. */
  kill(): Promise<ProcessExit>;
  /** What the server says it is doing (the `srvr` four letter word). */
  mode(): Promise<ZooKeeperMode>;
  /** Stops the server and removes its temp directory (but not a data directory you supplied). */
  destroy(): Promise<void>;
}
