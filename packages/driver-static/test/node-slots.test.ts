import test from 'ava';
import { Node, type NodeState } from '@nodepool/core';
import type { StaticNodeConfig } from '@nodepool/driver-static';
import { assignSlots, hostIdentity } from '../src/node-slots.js';

function host(name: string, maxParallelJobs: number): StaticNodeConfig {
  return {
    name,
    labels: ['static'],
    username: 'zuul',
    timeout: 5,
    hostKeyChecking: true,
    hostKeys: [],
    connectionType: 'ssh',
    connectionPort: 22,
    shellType: null,
    maxParallelJobs,
    pythonPath: 'auto',
  };
}

function node(id: string, hostname: string, slot: number | null, state: NodeState = 'ready'): Node {
  const result = new Node();
  Object.assign(result, { id, hostname, slot, state, username: 'zuul', connectionPort: 22 });
  return result;
}

const ids = (table: (Node | null)[] | undefined): (string | null)[] => (table ?? []).map((entry) => entry?.id ?? null);

test('a configured host gets one free slot per max-parallel-jobs', (t) => {
  const slots = assignSlots([host('a', 3)], [node('1', 'a', 1)]);
  t.deepEqual(ids(slots.get(hostIdentity(host('a', 3)))), [null, '1', null]);
});

test('a node without a slot number takes the first free slot', (t) => {
  const slots = assignSlots([host('a', 2)], [node('1', 'a', null), node('2', 'a', 0)]);
  t.deepEqual(ids(slots.get(hostIdentity(host('a', 2)))), ['2', '1']);
});

test('nodes beyond max-parallel-jobs become excess entries past the last slot', (t) => {
  const slots = assignSlots([host('a', 1)], [node('1', 'a', 0), node('2', 'a', 1), node('3', 'a', 0)]);
  t.deepEqual(ids(slots.get(hostIdentity(host('a', 1)))), ['1', '2', '3']);
});

test('nodes on their way out leave their slot free', (t) => {
  const slots = assignSlots([host('a', 2)], [node('1', 'a', 0, 'deleting'), node('2', 'a', 1, 'in-use'), node('3', 'a', 0, 'deleted')]);
  t.deepEqual(ids(slots.get(hostIdentity(host('a', 2)))), [null, '2']);
});

test('nodes of a host no longer configured are listed as excess only', (t) => {
  const slots = assignSlots([host('a', 1)], [node('1', 'gone', 0)]);
  t.deepEqual(ids(slots.get(JSON.stringify(['gone', 'zuul', 22]))), ['1']);
});

test('the same name with another user or port is another host', (t) => {
  const other = { ...host('a', 1), username: 'root' };
  const slots = assignSlots([host('a', 1), other], [node('1', 'a', 0)]);
  t.deepEqual(ids(slots.get(hostIdentity(host('a', 1)))), ['1']);
  t.deepEqual(ids(slots.get(hostIdentity(other))), [null]);
});
