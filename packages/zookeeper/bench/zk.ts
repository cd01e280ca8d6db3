/**
 * `npm run bench -- zk [--count N] [--window W] [--rounds R] [--no-java] [--json]`
 *
 * Pipelined creates, then setData, of 1 KiB znodes from one client against a throwaway local
 * ZooKeeper, with W requests in flight. The same workload runs through the Java client on the
 * same server (when `javac` is available), so the two can be compared on one machine.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { startZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';

const run = promisify(execFile);
/** Debian's ZooKeeper jar; its manifest class path brings in the rest. */
const zooKeeperJar = '/usr/share/java/zookeeper.jar';

const { values } = parseArgs({
  options: {
    count: { type: 'string', default: '20000' },
    window: { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '3' },
    'no-java': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});
const count = Number(values.count);
const window = Number(values.window);
const rounds = Number(values.rounds);

interface Figures {
  createsPerSecond: number;
  setDataPerSecond: number;
}

/** Runs `count` operations with at most `window` in flight; returns operations per second. */
async function pipelined(op: (i: number) => Promise<unknown>): Promise<number> {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(window, count) }, async () => {
      while (next < count) await op(next++);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return count / seconds;
}

async function benchNode(servers: string, root: string): Promise<Figures> {
  const client = new ZooKeeperClient({ servers });
  await client.connect();
  const data = Buffer.alloc(1024, 0x61);
  await client.create(root);
  const createsPerSecond = await pipelined((i) => client.create(`${root}/n${i}`, { data }));
  const setDataPerSecond = await pipelined((i) => client.setData(`${root}/n${i}`, data));
  await client.deleteRecursive(root);
  await client.close();
  return { createsPerSecond, setDataPerSecond };
}

async function compileJava(): Promise<string | undefined> {
  const source = fileURLToPath(new URL('./java/ZkBench.java', import.meta.url));
  const out = await mkdtemp(join(tmpdir(), 'nodepool-zkbench-'));
  try {
    await run('javac', ['-nowarn', '-cp', zooKeeperJar, '-d', out, source]);
    return out;
  } catch (error) {
    console.error(`(skipping the Java client: javac failed: ${(error as Error).message.split('\n')[0]})`);
    await rm(out, { recursive: true, force: true });
    return undefined;
  }
}

async function benchJava(classes: string, servers: string, root: string): Promise<Figures> {
  const classPath = [classes, zooKeeperJar, '/usr/share/java/slf4j-nop.jar'].join(':');
  const { stdout } = await run('java', ['-cp', classPath, 'ZkBench', servers, root, String(count), String(window), String(rounds)], {
    maxBuffer: 1 << 20,
  });
  return JSON.parse(stdout.trim().split('\n').pop()!) as Figures;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

const server = await startZooKeeper({ jvm: 'server' });
const results: Record<string, Figures[]> = { node: [], java: [] };
try {
  // Round 0 warms up V8 and the server; it is not reported.
  for (let round = 0; round <= rounds; round++) {
    const node = await benchNode(server.connectString, `/bench-node-${round}`);
    if (round > 0) results.node!.push(node);
  }
  const javaClasses = values['no-java'] ? undefined : await compileJava();
  if (javaClasses) {
    results.java!.push(await benchJava(javaClasses, server.connectString, '/bench-java'));
    await rm(javaClasses, { recursive: true, force: true });
  }
} finally {
  await server.destroy();
}

const summary = Object.fromEntries(
  Object.entries(results)
    .filter(([, figures]) => figures.length > 0)
    .map(([client, figures]) => [
      client,
      {
        createsPerSecond: Math.round(median(figures.map((f) => f.createsPerSecond))),
        setDataPerSecond: Math.round(median(figures.map((f) => f.setDataPerSecond))),
      },
    ]),
);
if (values.json) {
  console.log(JSON.stringify({ count, window, rounds, znodeBytes: 1024, ...summary }));
} else {
  console.log(`ZooKeeper pipelined throughput, one client, 1 KiB znodes, ${count} ops x ${rounds} rounds (median), ${window} in flight`);
  console.log('client   creates/s   setData/s');
  for (const [client, figures] of Object.entries(summary)) {
    console.log(`${client.padEnd(8)} ${String(figures.createsPerSecond).padStart(9)}   ${String(figures.setDataPerSecond).padStart(9)}`);
  }
}
