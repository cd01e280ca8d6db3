import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simCloudControl, type SimCloudControl } from '@nodepool/driver-sim/cloud';
import { startZooKeeper, startZooKeeperEnsemble, type LocalEnsemble, type LocalZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import type { ChaosContext } from './chaos-context.js';
import { LauncherDaemon } from './launcher-daemon.js';
import { stopChild, waitForLogLine } from './processes.js';
import { simConfigText, type SimConfigOptions, type ZooKeeperSettings } from './sim-config.js';

export interface ClusterOptions {
  /** `tls`: one TLS-only server (as Nodepool 9 requires); `ensemble`: three plain servers (testkit's ensembles have no TLS). */
  zookeeper: 'tls' | 'ensemble';
  /** `nodepool-sim-cloud` flags, e.g. `['--boot-delay-ms', '1000']`. */
  simCloudArgs?: readonly string[];
}

/**
 * What one scenario runs on: its own ZooKeeper (a TLS server or a three-server ensemble), its own
 * simulated cloud, a chroot, a configuration file, and the launchers it starts. `destroy()`
 * stops all of it.
 */
export class Cluster {
  readonly launchers: LauncherDaemon[] = [];
  private readonly clients: ZooKeeperClient[] = [];
  private configCount = 0;
  private unregisterAbort: (() => void) | undefined;

  private constructor(
    private readonly context: ChaosContext,
    readonly scenario: string,
    readonly zookeeper: ZooKeeperSettings,
    readonly zk: LocalZooKeeper | undefined,
    readonly ensemble: LocalEnsemble | undefined,
    private readonly cloudProcess: ChildProcess,
    readonly endpoint: string,
    readonly cloud: SimCloudControl,
  ) {}

  static async start(context: ChaosContext, scenario: string, options: ClusterOptions): Promise<Cluster> {
    let zk: LocalZooKeeper | undefined;
    let ensemble: LocalEnsemble | undefined;
    let cloudChild: ChildProcess | undefined;
    try {
      let settings: ZooKeeperSettings;
      const chroot = `/chaos-${scenario}`;
      if (options.zookeeper === 'tls') {
        zk = await startZooKeeper({ tls: true });
        settings = { servers: [{ host: zk.host, port: zk.port }], chroot, tls: zk.tls };
      } else {
        ensemble = await startZooKeeperEnsemble({ size: 3 });
        settings = { servers: ensemble.servers.map((server) => ({ host: server.host, port: server.port })), chroot };
      }
      const { child, logFile } = await context.registry.spawnNode(`${scenario}.sim-cloud`, context.bins.simCloud, ['--port', '0', ...(options.simCloudArgs ?? [])]);
      cloudChild = child;
      const line = await waitForLogLine(logFile, /listening on https?:\/\/\S+/, { child, timeoutMs: 60_000 });
      const endpoint = /(https?:\/\/\S+)/.exec(line)![1]!;
      const cluster = new Cluster(context, scenario, settings, zk, ensemble, child, endpoint, simCloudControl(endpoint));
      cluster.unregisterAbort = context.onAbort(() => cluster.destroy());
      return cluster;
    } catch (error) {
      if (cloudChild) await stopChild(cloudChild);
      await zk?.destroy();
      await ensemble?.destroy();
      throw error;
    }
  }

  /** Writes a configuration file for this cluster's ZooKeeper and cloud; returns its path. */
  async writeConfig(options: Omit<SimConfigOptions, 'zookeeper' | 'endpoint'> = {}, file?: string): Promise<string> {
    const path = file ?? join(this.context.workDir, `${this.scenario}-${++this.configCount}.yaml`);
    await writeFile(path, this.configText(options));
    return path;
  }

  configText(options: Omit<SimConfigOptions, 'zookeeper' | 'endpoint'> = {}): string {
    return simConfigText({ ...options, zookeeper: this.zookeeper, endpoint: this.endpoint });
  }

  /** Starts a launcher on `configFile`; resolves once it serves. */
  async startLauncher(configFile: string): Promise<LauncherDaemon> {
    const daemon = new LauncherDaemon(this.context.registry, `${this.scenario}.launcher-${this.launchers.length + 1}`, this.context.bins.launcher, configFile);
    this.launchers.push(daemon);
    await daemon.start();
    return daemon;
  }

  /** A client on the chroot (created if missing), closed by `destroy()`. Session timeout 20 s, so a 6 s outage leaves it alive. */
  async client(): Promise<ZooKeeperClient> {
    const tls = this.zk?.tls;
    const client = new ZooKeeperClient({
      servers: this.zookeeper.servers.map((server) => `${server.host}:${server.port}`).join(','),
      chroot: this.zookeeper.chroot,
      sessionTimeoutMs: 20_000,
      ...(tls ? { tls: { ca: tls.ca, cert: tls.cert, key: tls.key } } : {}),
    });
    this.clients.push(client);
    await client.connect(60_000);
    await client.mkdirp('/');
    return client;
  }

  /** Whether every launcher is running and none exited without being told to. */
  daemonsSurvived(): boolean {
    return this.launchers.every((launcher) => launcher.crashes.length === 0);
  }

  /** Each launcher that crashed, with how and where its log is. */
  crashReports(): string[] {
    return this.launchers.flatMap((launcher) =>
      launcher.crashes.map((exit) => `${launcher.name} exited by itself (${exit.signal ?? `code ${exit.code}`}); log ${launcher.logFile}`),
    );
  }

  async destroy(): Promise<void> {
    this.unregisterAbort?.();
    for (const client of this.clients) await client.close().catch(() => undefined);
    await Promise.all(this.launchers.map((launcher) => launcher.stop()));
    await stopChild(this.cloudProcess);
    await this.zk?.destroy();
    await this.ensemble?.destroy();
  }
}
