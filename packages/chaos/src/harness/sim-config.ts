/** Where the launchers find ZooKeeper: every server, the chroot, and TLS files if it talks TLS. */
export interface ZooKeeperSettings {
  servers: readonly { host: string; port: number }[];
  chroot: string;
  tls?: { caFile: string; certFile: string; keyFile: string };
}

/** One pool of the `sim` provider; every pool offers the label `sim-small`. */
export interface SimPoolSettings {
  name: string;
  maxServers: number;
}

export interface SimConfigOptions {
  zookeeper: ZooKeeperSettings;
  endpoint: string;
  pools?: readonly SimPoolSettings[];
  /** Launch attempts per node; default 3, as the original. */
  launchRetries?: number;
  /** API calls per second the driver allows itself; default effectively unlimited. */
  rate?: number;
}

/** The label every scenario requests. */
export const LABEL = 'sim-small';

/** A nodepool.yaml for one `sim` provider on the simulated cloud. */
export function simConfigText(options: SimConfigOptions): string {
  const { zookeeper } = options;
  const pools = options.pools ?? [{ name: 'main', maxServers: 100 }];
  const servers = zookeeper.servers.map((server) => `  - host: ${server.host}\n    port: ${server.port}\n    chroot: ${zookeeper.chroot}\n`).join('');
  const tls = zookeeper.tls ? `zookeeper-tls:\n  ca: ${zookeeper.tls.caFile}\n  cert: ${zookeeper.tls.certFile}\n  key: ${zookeeper.tls.keyFile}\n` : '';
  const poolText = pools
    .map(
      (pool) => `      - name: ${pool.name}
        max-servers: ${pool.maxServers}
        host-key-checking: false
        labels:
          - name: ${LABEL}
            flavor: small
            cloud-image: sim-base
`,
    )
    .join('');
  return `zookeeper-servers:
${servers}${tls}labels:
  - name: ${LABEL}
providers:
  - name: sim
    driver: sim
    endpoint: ${options.endpoint}
    rate: ${options.rate ?? 100000}
    launch-retries: ${options.launchRetries ?? 3}
    boot-timeout: 60
    pools:
${poolText}    cloud-images:
      - name: sim-base
        image-id: img-sim-base
`;
}
