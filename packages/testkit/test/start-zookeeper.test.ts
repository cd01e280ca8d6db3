import test from 'ava';
import { execFile } from 'node:child_process';
import { createServer } from 'node:net';
import { rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { fourLetterWord } from '../src/four-letter-word.js';
import { isProcessAlive } from '../src/is-process-alive.js';
import type { LocalZooKeeper } from '../src/local-zookeeper.js';
import { startZooKeeper } from '../src/start-zookeeper.js';
import { ZooKeeperStartError } from '../src/zookeeper-start-error.js';
import { openRawSession } from './raw-session.js';

/** Starts a server of its own for one test, destroyed when the test ends however it ends. */
async function ownServer(t: { teardown(fn: () => Promise<void>): void }): Promise<LocalZooKeeper> {
  const zk = await startZooKeeper({ tickTimeMs: 200 });
  t.teardown(() => zk.destroy());
  return zk;
}

/** Runs a zkCli.sh command; zkCli is slow (a JVM per call), so tests use it sparingly. */
async function zkCli(zk: LocalZooKeeper, ...command: string[]): Promise<string> {
  const { stdout } = await promisify(execFile)('/usr/share/zookeeper/bin/zkCli.sh', ['-server', zk.connectString, ...command]);
  return stdout;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen({ host: '127.0.0.1', port }, () => server.close(() => resolve(true)));
  });
}

test('a plain server answers ruok and serves in standalone mode', async (t) => {
  const zk = await ownServer(t);
  t.is(zk.host, '127.0.0.1');
  t.is(zk.connectString, `127.0.0.1:${zk.port}`);
  t.is(zk.tls, undefined);
  t.is(await fourLetterWord(zk.port, 'ruok'), 'imok');
  t.is(await zk.mode(), 'standalone');
});

test('stop() ends the JVM, reports how it exited and frees the port', async (t) => {
  const zk = await ownServer(t);
  const pid = zk.pid;
  t.true(isProcessAlive(pid));
  const exit = await zk.stop();
  t.deepEqual(exit, { code: null, signal: 'SIGTERM' });
  t.false(zk.running);
  t.false(isProcessAlive(pid));
  t.true(await portIsFree(zk.port));
  t.is(await zk.mode(), 'not serving');
});

test('a server killed and started again keeps its port and its znodes', async (t) => {
  const zk = await ownServer(t);
  await zkCli(zk, 'create', '/kept', 'still here');
  const oldPid = zk.pid;
  t.deepEqual(await zk.kill(), { code: null, signal: 'SIGKILL' });
  t.false(isProcessAlive(oldPid));
  await zk.start();
  t.not(zk.pid, oldPid);
  t.is(await zk.mode(), 'standalone');
  t.regex(await zkCli(zk, 'get', '/kept'), /^still here$/m);
});

test('a session survives a restart of the server', async (t) => {
  // tickTime 500 allows sessions of up to 20 ticks, 10 s: a JVM restarting on a loaded machine
  // can outlast the 4 s a 200 ms tick allows.
  const zk = await startZooKeeper({ tickTimeMs: 500 });
  t.teardown(() => zk.destroy());
  const session = await openRawSession(zk.port, { timeoutMs: 10_000 });
  t.teardown(() => session.socket.destroy());
  t.is(session.timeoutMs, 10_000);
  await zk.stop();
  await zk.start();
  const resumed = await openRawSession(zk.port, { timeoutMs: 10_000, sessionId: session.sessionId, password: session.password });
  t.teardown(() => resumed.socket.destroy());
  t.is(resumed.sessionId, session.sessionId);
  t.is(resumed.timeoutMs, 10_000);
});

test('servers started at the same time get different ports and data dirs', async (t) => {
  const [a, b] = await Promise.all([ownServer(t), ownServer(t)]);
  t.not(a.port, b.port);
  t.not(a.dataDir, b.dataDir);
  t.is(await fourLetterWord(a.port, 'ruok'), 'imok');
  t.is(await fourLetterWord(b.port, 'ruok'), 'imok');
});

test('a server that cannot start says why, with the tail of its log', async (t) => {
  // It hangs up at once on our readiness probes, so closing it later does not wait for them.
  const blocker = createServer((socket) => socket.destroy());
  await new Promise<void>((resolve) => blocker.listen({ host: '127.0.0.1', port: 0 }, resolve));
  t.teardown(() => new Promise<void>((resolve) => blocker.close(() => resolve())));
  const { port } = blocker.address() as { port: number };
  const error = await t.throwsAsync(startZooKeeper({ port }), { instanceOf: ZooKeeperStartError });
  // The failed server's temp dir is kept for debugging; this test has seen enough.
  t.teardown(() => rm(dirname(error.logFile), { recursive: true, force: true }));
  t.true(error.portInUse);
  t.regex(error.message, /exited during start-up/);
  t.regex(error.message, /Address already in use/);
});
