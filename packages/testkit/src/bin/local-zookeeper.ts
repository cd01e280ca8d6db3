#!/usr/bin/env node
// A throwaway ZooKeeper server in the foreground, for demos and manual testing.
import { parseArgs } from 'node:util';
import { startZooKeeper } from '../start-zookeeper.js';
import type { LocalZooKeeper } from '../local-zookeeper.js';

const usage = `Usage: nodepool-local-zookeeper [--tls] [--port N] [--data-dir DIR]

Runs a local Apache ZooKeeper server on 127.0.0.1 until Ctrl-C (installing Debian's
zookeeper package first if needed), and prints the Nodepool configuration to reach it.

  --tls            serve TLS only, with a throwaway CA and client certificate
  --port N         client port (default: a free port)
  --data-dir DIR   keep data in DIR, across runs (default: a temp dir, removed on exit)
  -h, --help       show this help`;

async function main(): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        tls: { type: 'boolean', default: false },
        port: { type: 'string' },
        'data-dir': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
    }));
  } catch (error) {
    console.error(`${(error as Error).message}\n\n${usage}`);
    return 2;
  }
  if (values.help) {
    console.log(usage);
    return 0;
  }
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) {
    console.error(`--port must be a port number, not "${values.port}"\n\n${usage}`);
    return 2;
  }

  console.log('Starting ZooKeeper...');
  const zk = await startZooKeeper({ tls: values.tls, port, dataDir: values['data-dir'] });
  console.log(describe(zk));
  return runUntilSignal(zk);
}

function describe(zk: LocalZooKeeper): string {
  const lines = [
    `ZooKeeper is serving on ${zk.connectString}${zk.tls ? ' (TLS only, client certificate required)' : ''}.`,
    `  data: ${zk.dataDir}`,
    `  log:  ${zk.logFile}`,
    '',
    'Nodepool configuration:',
    '',
    'zookeeper-servers:',
    `  - host: ${zk.host}`,
    `    port: ${zk.port}`,
  ];
  if (zk.tls) {
    lines.push('zookeeper-tls:', `  ca: ${zk.tls.caFile}`, `  cert: ${zk.tls.certFile}`, `  key: ${zk.tls.keyFile}`);
  }
  lines.push('', 'Press Ctrl-C to stop.');
  return lines.join('\n');
}

/** Resolves with the exit status once a signal stopped the server, or it died on its own. */
function runUntilSignal(zk: LocalZooKeeper): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    // Also keeps the process alive: the server's own handles do not.
    const watch = setInterval(() => {
      if (stopping || zk.running) return;
      clearInterval(watch);
      console.error(`ZooKeeper exited unexpectedly; see ${zk.logFile}`);
      resolve(1);
    }, 500);
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        // A second Ctrl-C: stop waiting; the exit hook kills the server.
        process.exit(130);
      }
      stopping = true;
      clearInterval(watch);
      console.log(`\n${signal}: stopping ZooKeeper...`);
      zk.destroy().then(
        () => resolve(0),
        (error: unknown) => {
          console.error(error);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
