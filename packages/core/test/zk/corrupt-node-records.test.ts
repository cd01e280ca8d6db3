import test from 'ava';
import { Node, RecordFormatError } from '@nodepool/core';
import { readyNode, zuulInUseNode } from './fixtures/records.js';

test('a node whose labels, owner or allocation have the wrong JSON type is corrupt, not coerced', (t) => {
  const corrupt: [key: string, value: unknown][] = [
    ['type', [42]],
    ['type', [null]],
    ['type', { x: [] }],
    ['allocated_to', 7],
    ['provider', ['sim']],
    ['pool', false],
    ['launcher', 12],
    ['state_time', '1700000000'],
    ['host_keys', 'ssh-ed25519 AAAA'],
  ];
  for (const [key, value] of corrupt) {
    t.throws(() => Node.fromJson('1', { ...readyNode, [key]: value }), { instanceOf: RecordFormatError, message: new RegExp(`^node ${key} is `) }, `${key}: ${JSON.stringify(value)}`);
  }
});

test('records as the original and Zuul write them still read: a bare label, nulls, absent keys', (t) => {
  t.deepEqual(Node.fromJson('1', { ...readyNode, type: 'centos-7' }).type, ['centos-7']);
  t.deepEqual(Node.fromJson('1', { ...readyNode, type: null, allocated_to: null, host_keys: null }).type, []);
  t.is(Node.fromJson('1', zuulInUseNode).state, 'in-use');
  t.is(Node.fromJson('1', { state: 'ready', state_time: 1 }).allocatedTo, null);
});
