import { randomUUID } from 'node:crypto';
import test, { type ExecutionContext } from 'ava';
import { DriverRegistry, Node, NodepoolZooKeeper, type NodeState } from '@nodepool/core';
import { simDriver } from '@nodepool/driver-sim';
import { staticDriver } from '@nodepool/driver-static';
import { findFreePort, useZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient } from '@nodepool/zookeeper';
import { files, nodepoolWith } from './helpers.js';

const zk = useZooKeeper(test);

/** Monday 2025-01-06 12:00 UTC, in epoch seconds: the plan's "now". */
const NOW = Date.parse('2025-01-06T12:00:00Z') / 1000;

interface PlanFixture {
  /** Runs `nodepool -c current.yaml config-plan new.yaml …` with the sim and static drivers. */
  plan(newBody: string, ...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }>;
  /** Writes a node record as a launcher would; returns its ID. */
  node(fields: { state: NodeState; provider: string; pool: string; label: string; ageSeconds?: number; allocatedTo?: string; hostname?: string; slot?: number }): Promise<string>;
}

/** A chroot of a real ZooKeeper, `current.yaml` on it with `currentBody`, and the nodes a test writes. */
async function planFixture(t: ExecutionContext, currentBody: string): Promise<PlanFixture> {
  const server = zk();
  const chroot = `/plan-${randomUUID()}`;
  const client = new ZooKeeperClient({ servers: server.connectString, chroot, sessionTimeoutMs: 10_000 });
  t.teardown(() => client.close());
  await client.connect();
  await client.mkdirp('/');
  const store = new NodepoolZooKeeper(client);
  t.teardown(() => store.stop());
  const header = `zookeeper-servers:\n  - host: 127.0.0.1\n    port: ${server.port}\n    chroot: ${chroot}\nzookeeper-timeout: 5.0\n`;
  const paths = await files(t, { 'current.yaml': header + currentBody });
  return {
    async plan(newBody, ...argv) {
      const { 'new.yaml': next } = await files(t, { 'new.yaml': header + newBody });
      const result = await nodepoolWith(
        { drivers: () => DriverRegistry.of(simDriver, staticDriver), now: () => NOW },
        '-c',
        paths['current.yaml']!,
        'config-plan',
        next!,
        ...argv,
      );
      // The new file's directory differs per call: show it as NEW.
      const tidy = (line: string) => line.replaceAll(next!, 'NEW').replaceAll(paths['current.yaml']!, 'CURRENT');
      return { code: result.code, out: result.out.map(tidy), err: result.err.map(tidy) };
    },
    async node({ state, provider, pool, label, ageSeconds = 60, allocatedTo, hostname, slot }) {
      const node = new Node();
      node.setState(state, NOW - ageSeconds);
      node.provider = provider;
      node.pool = pool;
      node.type = [label];
      node.allocatedTo = allocatedTo ?? null;
      node.hostname = hostname ?? null;
      node.username = 'zuul';
      node.connectionPort = 22;
      node.slot = slot ?? null;
      await store.storeNode(node);
      return node.id;
    },
  };
}

const sim = (pools: string) => `
    driver: sim
    endpoint: http://127.0.0.1:9
    cloud-images:
      - name: sim-base
    pools:
${pools}`;

const simCurrent = `
labels:
  - name: small
    min-ready: 1
  - name: large
  - name: gpu
providers:
  - name: sim-a
${sim(`      - name: main
        max-servers: 10
        labels:
          - name: small
            flavor: small
            cloud-image: sim-base
          - name: large
            flavor: large
            cloud-image: sim-base
      - name: gpu
        max-servers: 2
        labels:
          - name: gpu
            flavor: large
            cloud-image: sim-base`)}
`;

test('the same configuration plans no change and exits 0', async (t) => {
  const f = await planFixture(t, simCurrent);
  await f.node({ state: 'ready', provider: 'sim-a', pool: 'main', label: 'small' });
  const result = await f.plan(simCurrent);
  t.is(result.code, 0, result.err.join('\n'));
  t.deepEqual(result.out, ['No changes: a reload would change nothing.']);
});

test('a sim provider: limits and labels old → new, min-ready launches, max-ready-age deletions, nodes in use left alone; exit 2', async (t) => {
  const f = await planFixture(t, simCurrent);
  const readySmall = await f.node({ state: 'ready', provider: 'sim-a', pool: 'main', label: 'small', ageSeconds: 7200 });
  const inUseGpu = await f.node({ state: 'in-use', provider: 'sim-a', pool: 'gpu', label: 'gpu', allocatedTo: '200-0000000001' });
  const readyGpu = await f.node({ state: 'ready', provider: 'sim-a', pool: 'gpu', label: 'gpu' });
  const next = `
labels:
  - name: small
    min-ready: 3
    max-ready-age: 3600
  - name: large
  - name: gpu
  - name: xlarge
providers:
  - name: sim-a
${sim(`      - name: main
        max-servers: 4
        max-cores: 64
        labels:
          - name: small
            flavor: small
            cloud-image: sim-base
          - name: xlarge
            flavor: large
            cloud-image: sim-base`)}
`;
  const result = await f.plan(next);
  t.is(result.code, 2, result.err.join('\n'));
  t.deepEqual(result.out, [
    'Configuration changes (CURRENT → NEW):',
    '  ~ label small',
    '      min-ready: 1 → 3',
    '      max-ready-age: unset → 3600',
    '  + label xlarge',
    '  ~ provider sim-a',
    '      ~ pool main',
    '          max-servers: 10 → 4',
    '          max-cores: unset → 64',
    '          - label large',
    '          + label xlarge',
    '      - pool gpu',
    '',
    'Nodes:',
    `  + 3 min-ready nodes of label small will be launched: min-ready 1 → 3, 0 ready that stay`,
    `  - 1 node of label small (${readySmall}) will be deleted: ready longer than the new max-ready-age (3600 s)`,
    `  = 1 node of label gpu in sim-a/gpu (${inUseGpu}) will be left alone: its pool is removed: left alone until returned, then deleted`,
    `  ! 1 node of label gpu in sim-a/gpu (${readyGpu}) will be left behind: its pool is removed: it stays ready, no request will get it (max-ready-age or nodepool delete removes it)`,
    '',
    'Plan: 3 configuration changes, 4 node changes.',
  ]);
});

test('a lowered min-ready deletes no ready node: they are kept, as 9.0.0 does', async (t) => {
  const f = await planFixture(t, simCurrent.replace('min-ready: 1', 'min-ready: 3'));
  const ready = [];
  for (let i = 0; i < 3; i++) ready.push(await f.node({ state: 'ready', provider: 'sim-a', pool: 'main', label: 'small' }));
  const result = await f.plan(simCurrent);
  t.is(result.code, 2);
  t.deepEqual(result.out, [
    'Configuration changes (CURRENT → NEW):',
    '  ~ label small',
    '      min-ready: 3 → 1',
    '',
    'Nodes:',
    `  = 2 nodes of label small (${ready[0]}, ${ready[1]}) will be kept: min-ready 3 → 1, 3 ready that stay; ready nodes beyond it are not deleted, they go when used or by max-ready-age`,
    '',
    'Plan: 1 configuration change, 1 node change.',
  ]);
});

test('a min-ready-schedule whose window is open now launches its min-ready', async (t) => {
  const f = await planFixture(t, simCurrent);
  const result = await f.plan(
    simCurrent.replace(
      '    min-ready: 1\n',
      '    min-ready: 1\n    min-ready-schedule:\n      - cron: "0 8 * * 1-5"\n        duration: 10h\n        min-ready: 4\n        timezone: UTC\n',
    ),
  );
  t.is(result.code, 2);
  t.true(result.out.includes('  + 3 min-ready nodes of label small will be launched: min-ready 1 → 4 (now, by its min-ready-schedule), 0 ready that stay'), result.out.join('\n'));
});

test('a removed provider: its nodes in use and ready are left behind, and said so', async (t) => {
  const f = await planFixture(t, simCurrent);
  const inUse = await f.node({ state: 'in-use', provider: 'sim-a', pool: 'main', label: 'large', allocatedTo: '200-0000000001' });
  const ready = await f.node({ state: 'ready', provider: 'sim-a', pool: 'main', label: 'large' });
  const result = await f.plan('labels:\n  - name: small\n    min-ready: 1\n  - name: large\n  - name: gpu\nproviders: []\n');
  t.is(result.code, 2);
  t.deepEqual(result.out.slice(result.out.indexOf('Nodes:')), [
    'Nodes:',
    `  = 1 node of label large in sim-a/main (${inUse}) will be left alone: its provider is removed: left alone, and once returned no launcher deletes it (nor its cloud resources)`,
    `  ! 1 node of label large in sim-a/main (${ready}) will be left behind: its provider is removed: no launcher will use or delete this ready node (nor its cloud resources)`,
    '',
    'Plan: 1 configuration change, 2 node changes.',
  ]);
  t.deepEqual(result.out.slice(0, 2), ['Configuration changes (CURRENT → NEW):', '  - provider sim-a']);
});

const staticProvider = (hosts: string) => `
labels:
  - name: bare
providers:
  - name: metal
    driver: static
    pools:
      - name: main
        nodes:
${hosts}`;

const host = (name: string, extra = '') => `          - name: ${name}\n            labels: [bare]\n            host-key-checking: false\n${extra}`;

test('a static provider: removed hosts are deregistered or left alone while in use, new hosts and slots registered', async (t) => {
  const f = await planFixture(t, staticProvider(host('h1.example.com') + host('h2.example.com', '            max-parallel-jobs: 2\n')));
  const h1Ready = await f.node({ state: 'ready', provider: 'metal', pool: 'main', label: 'bare', hostname: 'h1.example.com', slot: 0 });
  // In use in slot 0, which stays: not mentioned.
  await f.node({ state: 'in-use', provider: 'metal', pool: 'main', label: 'bare', hostname: 'h2.example.com', slot: 0, allocatedTo: '200-0000000001' });
  const h2Ready = await f.node({ state: 'ready', provider: 'metal', pool: 'main', label: 'bare', hostname: 'h2.example.com', slot: 1 });
  const result = await f.plan(staticProvider(host('h2.example.com', '            max-parallel-jobs: 1\n') + host('h3.example.com')));
  t.is(result.code, 2, result.err.join('\n'));
  t.deepEqual(result.out, [
    'Configuration changes (CURRENT → NEW):',
    '  ~ provider metal',
    '      ~ pool main',
    '          - node h1.example.com',
    '          ~ node h2.example.com',
    '              max-parallel-jobs: 2 → 1',
    '          + node h3.example.com',
    '',
    'Nodes:',
    `  - 1 node in metal/main (${h2Ready}) will be deregistered: max-parallel-jobs of host h2.example.com is now 1`,
    `  - 1 node in metal/main (${h1Ready}) will be deregistered: host h1.example.com is no longer configured`,
    '  + 1 node of label bare in metal/main will be registered: host h3.example.com is new',
    '',
    'Plan: 1 configuration change, 3 node changes.',
  ]);
});

test('a static host removed while its node is in use: left alone until returned, not registered again', async (t) => {
  const f = await planFixture(t, staticProvider(host('h1.example.com') + host('h2.example.com')));
  const inUse = await f.node({ state: 'in-use', provider: 'metal', pool: 'main', label: 'bare', hostname: 'h1.example.com', slot: 0, allocatedTo: '200-0000000001' });
  const result = await f.plan(staticProvider(host('h2.example.com')));
  t.is(result.code, 2);
  t.true(
    result.out.includes(`  = 1 node in metal/main (${inUse}) will be left alone: host h1.example.com is no longer configured: left alone until returned, then not registered again`),
    result.out.join('\n'),
  );
});

test('every problem of an invalid new file is listed as config-validate prints it, and the exit code is 1', async (t) => {
  const f = await planFixture(t, simCurrent);
  const result = await f.plan(
    simCurrent.replace('  - name: gpu\n', '  - name: gpu\n    min-ready-schedule:\n      - cron: "0 25 * * *"\n        duration: 1h\n        min-ready: 2\n    colour: blue\n'),
  );
  t.is(result.code, 1);
  t.deepEqual(result.out, [
    'Problems of NEW:',
    '  NEW:13 labels[2].min-ready-schedule[0].cron: not a valid cron expression (minute hour day-of-month month day-of-week): Constraint error, got value 25 expected range 0-23: "0 25 * * *"',
    '  NEW:16 labels[2].colour: unknown key (not allowed here)',
    '',
    'A reload would keep the configuration in force: NEW is not valid.',
  ]);
});

test('--json prints the plan as data', async (t) => {
  const f = await planFixture(t, simCurrent);
  const result = await f.plan(simCurrent.replace('max-servers: 2', 'max-servers: 3'), '--json');
  t.is(result.code, 2);
  const plan = JSON.parse(result.out.join('\n')) as Record<string, unknown>;
  t.like(plan, { valid: true, loadable: true, changes: true, problems: [], nodes: [] });
  t.deepEqual(plan.diff, {
    settings: [],
    entries: [
      {
        action: 'change',
        kind: 'provider',
        name: 'sim-a',
        settings: [],
        entries: [{ action: 'change', kind: 'pool', name: 'gpu', settings: [{ key: 'max-servers', old: 2, new: 3 }], entries: [] }],
      },
    ],
  });
});

test('an unreachable ZooKeeper is an error (exit 1)', async (t) => {
  const port = await findFreePort();
  const body = `zookeeper-servers:\n  - host: 127.0.0.1\n    port: ${port}\nzookeeper-timeout: 1.0\n${simCurrent}`;
  const paths = await files(t, { 'current.yaml': body, 'new.yaml': body });
  const result = await nodepoolWith({ drivers: () => DriverRegistry.of(simDriver, staticDriver) }, '-c', paths['current.yaml']!, 'config-plan', paths['new.yaml']!);
  t.is(result.code, 1);
  t.regex(result.err.join('\n'), /cannot reach ZooKeeper/);
});
