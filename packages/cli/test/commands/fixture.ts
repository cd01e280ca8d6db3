import { randomUUID } from 'node:crypto';
import type { ExecutionContext } from 'ava';
import { KazooPeer, type LocalZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { DriverRegistry, type Driver } from '@nodepool/core';
import { createFakeDriver, type FakeCloud } from '@nodepool/core/testing';
import { RENDERED_AT, seedOriginalRecords, type SeededRecords } from '../../../core/test/helpers/original-records.js';
import { files, nodepoolWith } from '../helpers.js';

export interface CliFixture {
  /** Runs `nodepool -c <config> …` with the fake drivers, ages measured at RENDERED_AT. */
  run(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }>;
  /** The same, answering the prompts with `answers`. */
  runAnswering(answers: string[], ...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }>;
  config: string;
  client: ZooKeeperClient;
  /** kazoo on the same chroot, standing for Zuul or the original daemons. */
  peer: KazooPeer;
  hosts: string;
  seeded: SeededRecords;
  cloud: FakeCloud;
}

/**
 * A chroot seeded (through kazoo) with the original's records, a nodepool.yaml for it with the
 * provider cloud-a (the fake driver, or `fakecloud` in its place) and diskimages `debian` and `ubuntu` (paused in the file).
 */
export async function cliFixture(t: ExecutionContext, zk: LocalZooKeeper, options: { seed?: boolean; drivers?: Driver[]; fakecloud?: Driver } = {}): Promise<CliFixture> {
  const chroot = `/cli-${randomUUID()}`;
  const client = new ZooKeeperClient({ servers: zk.connectString, chroot, sessionTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  const hosts = `${zk.connectString}${chroot}`;
  const seeded = options.seed === false ? ({} as SeededRecords) : await seedOriginalRecords(hosts);
  const peer = await KazooPeer.start(hosts);
  t.teardown(() => peer.stop());
  const { driver, cloud } = createFakeDriver();
  const { 'nodepool.yaml': config } = await files(t, {
    'nodepool.yaml': `
zookeeper-servers:
  - host: 127.0.0.1
    port: ${zk.port}
    chroot: ${chroot}
zookeeper-timeout: 5
labels:
  - name: debian
  - name: arm64
diskimages:
  - name: debian
  - name: ubuntu
    pause: true
providers:
  - name: cloud-a
    driver: fakecloud
    diskimages:
      - name: debian
    pools:
      - name: main
        max-servers: 2
        labels:
          - name: debian
          - name: arm64
`,
  });
  const drivers = () => DriverRegistry.of(options.fakecloud ?? driver, ...(options.drivers ?? []));
  return {
    run: (...argv) => nodepoolWith({ drivers, now: () => RENDERED_AT }, '-c', config!, ...argv),
    runAnswering: (answers, ...argv) => nodepoolWith({ drivers, now: () => RENDERED_AT, answers }, '-c', config!, ...argv),
    config: config!,
    client,
    peer,
    hosts,
    seeded,
    cloud,
  };
}
