/** Options of `staticRackConfig`. */
export interface StaticRackOptions {
  /** The node's `connection-port`; left out by default (22). */
  readonly connectionPort?: number;
  /** More top-level YAML, appended as given (`webapp:`, …). */
  readonly more?: string;
}

/**
 * A nodepool.yaml for the daemons' and commands' process tests: ZooKeeper at `zk` under
 * `chroot`, one label `rack` and one static provider `rack` holding 127.0.0.1.
 */
export function staticRackConfig(zk: { readonly host: string; readonly port: number }, chroot: string, options: StaticRackOptions = {}): string {
  const connectionPort = options.connectionPort === undefined ? '' : `            connection-port: ${options.connectionPort}\n`;
  return `zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
    chroot: ${chroot}
labels:
  - name: rack
providers:
  - name: rack
    driver: static
    pools:
      - name: main
        nodes:
          - name: 127.0.0.1
            labels: rack
${connectionPort}            host-key-checking: false
${options.more ?? ''}`;
}
