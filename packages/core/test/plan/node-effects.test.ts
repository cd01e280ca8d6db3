import test from 'ava';
import { Node, planNodeEffects, type NodepoolConfig, type NodeState } from '@nodepool/core';
import { validateConfigText } from '@nodepool/core/testing';
import { testDriver } from '../helpers/test-driver.js';

const NOW = Date.parse('2025-01-06T12:00:00Z');

async function config(body: string): Promise<NodepoolConfig> {
  const result = await validateConfigText(body, [testDriver('test')]);
  if (!result.config) throw new Error(result.messages.join('\n'));
  return result.config;
}

let sequence = 0;
function node(state: NodeState, fields: { pool?: string; label?: string; ageSeconds?: number; holdExpiration?: number } = {}): Node {
  const created = new Node();
  created.id = String(sequence++).padStart(10, '0');
  created.setState(state, NOW / 1000 - (fields.ageSeconds ?? 60));
  created.provider = 'cloud';
  created.pool = fields.pool ?? 'main';
  created.type = [fields.label ?? 'small'];
  if (fields.holdExpiration !== undefined) created.holdExpiration = fields.holdExpiration;
  return created;
}

const body = (maxServers: number, extra = '') => `
labels:
  - name: small
${extra}
providers:
  - name: cloud
    driver: test
    pools:
      - name: main
        max-servers: ${maxServers}
        labels:
          - name: small
`;

test('a max-servers lowered below what the pool holds deletes nothing and says so', async (t) => {
  const nodes = [node('in-use'), node('in-use'), node('ready'), node('deleting')];
  const effects = planNodeEffects({ current: await config(body(5)), next: await config(body(2)), nodes, now: NOW });
  t.deepEqual(effects, [
    {
      kind: 'in-use',
      count: 3,
      nodes: nodes.slice(0, 3).map((n) => n.id),
      provider: 'cloud',
      pool: 'main',
      reason: 'the pool holds 3 nodes, max-servers 5 → 2: none is deleted for it; no new launches until it holds fewer',
    },
  ]);
});

test('a max-servers still above what the pool holds plans nothing', async (t) => {
  const effects = planNodeEffects({ current: await config(body(5)), next: await config(body(4)), nodes: [node('in-use')], now: NOW });
  t.deepEqual(effects, []);
});

test('a lowered max-hold-age deletes the holds it expires, and only those', async (t) => {
  const old = node('hold', { ageSeconds: 7200 });
  const young = node('hold', { ageSeconds: 60 });
  const effects = planNodeEffects({ current: await config(body(5)), next: await config(`max-hold-age: 3600\n${body(5)}`), nodes: [old, young], now: NOW });
  t.deepEqual(effects, [{ kind: 'delete', count: 1, nodes: [old.id], reason: 'held longer than the new max-hold-age (3600 s)' }]);
});

test('ready nodes already too old under the configuration in force are not planned again', async (t) => {
  const old = node('ready', { ageSeconds: 7200 });
  const ages = (seconds: number) => body(5, `    max-ready-age: ${seconds}`);
  t.deepEqual(planNodeEffects({ current: await config(ages(3600)), next: await config(ages(1800)), nodes: [old], now: NOW }), []);
  t.is(planNodeEffects({ current: await config(ages(9000)), next: await config(ages(1800)), nodes: [old], now: NOW })[0]?.kind, 'delete');
});

test('min-ready of a label no pool offers launches nothing', async (t) => {
  const next = await config(`labels:\n  - name: small\n    min-ready: 4\nproviders: []\n`);
  t.deepEqual(planNodeEffects({ current: await config(body(5)), next, nodes: [], now: NOW }), []);
});
