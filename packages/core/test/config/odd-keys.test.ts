import test from 'ava';
import { validateConfigText } from '@nodepool/core/testing';
import { testDriver } from '../helpers/test-driver.js';

const drivers = [testDriver('test')];

test('keys named after Object’s own properties are unknown keys of the file, not a crash', async (t) => {
  const result = await validateConfigText(
    'labels:\n  - name: small\n__proto__: 1\nconstructor:\n  a: 1\nproviders:\n  - name: p\n    driver: test\n    toString: x\n',
    drivers,
  );
  t.false(result.valid);
  t.deepEqual(result.messages, [
    'nodepool.yaml:3 __proto__: unknown key (not allowed here)',
    'nodepool.yaml:5 constructor: unknown key (not allowed here)',
    'nodepool.yaml:9 providers[0].toString: unknown key (not allowed here)',
  ]);
});

test('labels, providers and pools may be named after Object’s own properties', async (t) => {
  const result = await validateConfigText(
    [
      'labels:',
      '  - name: constructor',
      '  - name: __proto__',
      'providers:',
      '  - name: hasOwnProperty',
      '    driver: test',
      '    pools:',
      '      - name: __proto__',
      '        labels:',
      '          - name: constructor',
      '          - name: __proto__',
      '',
    ].join('\n'),
    drivers,
  );
  t.deepEqual(result.messages, []);
  t.deepEqual([...result.config!.labels.keys()], ['constructor', '__proto__']);
});

test('a sequence or a mapping used as a key is a problem of the file at its line, as PyYAML cannot hash it', async (t) => {
  const sequenceKey = await validateConfigText('labels:\n  - name: small\n? [a, b]\n: 1\n', drivers);
  t.deepEqual(sequenceKey.messages, ['nodepool.yaml:3 YAML syntax error: found unhashable key (a sequence used as a mapping key)']);
  const mappingKey = await validateConfigText('labels:\n  - name: small\n    ? {x: 1}\n    : 2\n', drivers);
  t.deepEqual(mappingKey.messages, ['nodepool.yaml:3 YAML syntax error: found unhashable key (a mapping used as a mapping key)']);
});
