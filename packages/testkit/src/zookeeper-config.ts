/** One member of an ensemble as every member's config lists it. */
export interface EnsemblePeer {
  /** The `myid` of that server (1-255). */
  id: number;
  peerPort: number;
  electionPort: number;
}

/** Inputs of {@link renderZooKeeperConfig}. */
export interface ZooKeeperConfig {
  dataDir: string;
  clientPort: number;
  tickTimeMs: number;
  minSessionTimeoutMs?: number | undefined;
  maxSessionTimeoutMs?: number | undefined;
  /** Serve TLS only, on `clientPort`, requiring a client certificate signed by the trusted CA. */
  tls?: { keyStoreFile: string; trustStoreFile: string; password: string } | undefined;
  /** Present for an ensemble member. */
  ensemble?: { peers: EnsemblePeer[]; initLimit: number; syncLimit: number } | undefined;
}

/** The text of a `zoo.cfg` for a throwaway local server. */
export function renderZooKeeperConfig(config: ZooKeeperConfig): string {
  const lines = [
    `tickTime=${config.tickTimeMs}`,
    `dataDir=${config.dataDir}`,
    // Every 4lw (srvr, mntr, dump, ...) is fair game on a test server, and the admin HTTP server
    // would want a port of its own (8080 by default, which would clash between servers).
    '4lw.commands.whitelist=*',
    'admin.enableServer=false',
    // Tests open many connections from 127.0.0.1; the default limit is 60 per address.
    'maxClientCnxns=0',
    // Throwaway data needs no fsync, and killing the JVM keeps it anyway (the OS has the pages).
    'forceSync=no',
    // Transaction logs are otherwise preallocated in 64 MB steps.
    'preAllocSize=1024',
  ];
  if (config.minSessionTimeoutMs !== undefined) lines.push(`minSessionTimeout=${config.minSessionTimeoutMs}`);
  if (config.maxSessionTimeoutMs !== undefined) lines.push(`maxSessionTimeout=${config.maxSessionTimeoutMs}`);
  if (config.tls) {
    // No clientPort at all, so the server cannot be reached without TLS. TLS needs the Netty
    // connection factory; client certificates are required by default (ssl.clientAuth=need).
    lines.push(
      'serverCnxnFactory=org.apache.zookeeper.server.NettyServerCnxnFactory',
      `secureClientPort=${config.clientPort}`,
      'secureClientPortAddress=127.0.0.1',
      `ssl.keyStore.location=${config.tls.keyStoreFile}`,
      `ssl.keyStore.password=${config.tls.password}`,
      `ssl.trustStore.location=${config.tls.trustStoreFile}`,
      `ssl.trustStore.password=${config.tls.password}`,
    );
  } else {
    lines.push(`clientPort=${config.clientPort}`, 'clientPortAddress=127.0.0.1');
  }
  if (config.ensemble) {
    lines.push(
      `initLimit=${config.ensemble.initLimit}`,
      `syncLimit=${config.ensemble.syncLimit}`,
      // Keeps a one-server "ensemble" a real quorum (mode leader), like the bigger ones.
      'standaloneEnabled=false',
      ...config.ensemble.peers.map((peer) => `server.${peer.id}=127.0.0.1:${peer.peerPort}:${peer.electionPort}`),
    );
  }
  return `${lines.join('\n')}\n`;
}
