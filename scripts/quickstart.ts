/**
 * `npm start`: a local Nodepool on this machine — a TLS-only ZooKeeper, an SSH server standing
 * for this machine, the simulated cloud, and a launcher with two providers: `sim` (the default,
 * launching instances in the simulated cloud, each answering on that SSH server) and
 * `this-machine` (the static driver, handing this machine out). The launcher serves its web API
 * and live dashboard on 127.0.0.1:8005 (another free port when 8005 is taken). Everything runs
 * in the foreground; Ctrl-C stops it all.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { userInfo } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { DriverRegistry, Launcher } from '@nodepool/core';
import { startSimCloud } from '@nodepool/driver-sim/cloud';
import { startSshServer, startZooKeeper } from '@nodepool/testkit';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, '.nodepool-ts', 'quickstart');
await mkdir(dir, { recursive: true });

console.log('Starting ZooKeeper (TLS only, with client certificates, as Nodepool 9 requires)...');
const zk = await startZooKeeper({ tls: true });
console.log('Starting an SSH server to stand for this machine...');
const ssh = await startSshServer();
console.log('Starting the simulated cloud (instances boot in 2 s and answer on that SSH server)...');
const sim = await startSimCloud({ address: ssh.host, sshPort: ssh.port, bootDelayMs: 2_000 });

const configFile = join(dir, 'nodepool.yaml');
await writeFile(
  configFile,
  `# Written by npm start (scripts/quickstart.ts).
zookeeper-servers:
  - host: ${zk.host}
    port: ${zk.port}
zookeeper-tls:
  ca: ${zk.tls!.caFile}
  cert: ${zk.tls!.certFile}
  key: ${zk.tls!.keyFile}
labels:
  - name: sim-small
    min-ready: 1
  - name: localhost
providers:
  - name: sim
    driver: sim
    endpoint: ${sim.url}
    cloud-images:
      - name: sim-base
    pools:
      - name: main
        max-servers: 10
        labels:
          - name: sim-small
            flavor: small
            cloud-image: sim-base
            username: ${userInfo().username}
  - name: this-machine
    driver: static
    pools:
      - name: main
        nodes:
          - name: ${ssh.host}
            labels: localhost
            connection-port: ${ssh.port}
            username: ${userInfo().username}
            max-parallel-jobs: 2
`,
);

/** 8005, the original's web port, when it is free on this machine; otherwise 0 (any free port). */
async function webPort(): Promise<number> {
  const probe = createServer();
  const free = await new Promise<boolean>((resolve) => {
    probe.once('error', () => resolve(false));
    probe.listen(8005, '127.0.0.1', () => resolve(true));
  });
  if (free) await new Promise((resolve) => probe.close(resolve));
  return free ? 8005 : 0;
}

const launcher = new Launcher({
  configFile,
  drivers: new DriverRegistry({ searchFrom: [root] }),
  hostname: 'quickstart',
  webapp: { port: await webPort(), listenAddress: '127.0.0.1' },
});
await launcher.start();
const web = `http://127.0.0.1:${launcher.webApp!.port}`;

const shown = relative(process.cwd(), configFile) || configFile;
console.log(`
Nodepool is up.
  ZooKeeper:   ${zk.connectString} (TLS; CA and client certificate: ${zk.tls!.caFile}, ${zk.tls!.certFile})
  Sim cloud:   ${sim.url} (a simulator, not a real cloud; its control API is under /_sim)
  Launcher:    provider "sim" (sim driver), label "sim-small", up to 10 instances, one kept ready
               provider "this-machine" (static driver), label "localhost", 2 slots on ${ssh.host}:${ssh.port}
  Config:      ${shown}
  Dashboard:   ${web}/ (live; the web API beside it: ${web}/node-list, /request-list, …)

Get a node, the way Zuul does (in another terminal):
  npx nodepool -c ${shown} request sim-small --wait
  npx nodepool -c ${shown} request localhost --wait

Validate the configuration:
  npx nodepool -c ${shown} config-validate

Press Ctrl-C to stop.`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log('\nStopping...');
    void (async () => {
      await launcher.stop();
      await sim.stop();
      await ssh.destroy();
      await zk.destroy();
      process.exit(0);
    })();
  });
}
// The servers' handles are unref'd; keep the process alive until a signal.
setInterval(() => undefined, 1 << 30);
