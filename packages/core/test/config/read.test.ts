import test from 'ava';
import {
  defaultConnectionPort,
  readCommonPoolFields,
  readCommonProviderFields,
  readConnection,
  readEntries,
  readEntriesByName,
  readFloat,
  readInteger,
  readIntegerMap,
  readOptional,
  readString,
} from '@nodepool/core';

test('readEntries gives the mappings of a list and an empty list for an absent key', (t) => {
  const pools = [{ name: 'a' }, { name: 'b' }];
  t.is(readEntries(pools), pools);
  t.deepEqual(readEntries(undefined), []);
  t.deepEqual(readEntries(null), []);
});

test('readEntriesByName builds each entry and keys it by name, a later one winning', (t) => {
  const reports: unknown[] = [];
  const images = readEntriesByName(
    { 'cloud-images': [{ name: 'a', size: 1 }, { name: 'b', size: 2 }, { name: 'a', size: 3 }] },
    'cloud-images',
    { report: (...args) => reports.push(args) },
    (item) => item.size,
  );
  t.deepEqual([...images], [['a', 3], ['b', 2]]);
  t.deepEqual(reports, []);
  t.deepEqual(readEntriesByName({}, 'diskimages', { report: () => t.fail() }, (item) => item), new Map());
});

test('readEntriesByName reports an entry without a name and leaves it out', (t) => {
  const reports: unknown[] = [];
  const images = readEntriesByName({ diskimages: [{ pause: true }, { name: 'b' }] }, 'diskimages', { report: (...args) => reports.push(args) }, (item) => item);
  t.deepEqual([...images.keys()], ['b']);
  t.deepEqual(reports, [[['diskimages', 0, 'name'], 'required key not provided']]);
});

test('readInteger reads booleans as 1 and 0, as Python does', (t) => {
  t.is(readInteger(5), 5);
  t.is(readInteger(0), 0);
  t.is(readInteger(-1), -1);
  t.is(readInteger(true), 1);
  t.is(readInteger(false), 0);
  t.is(readInteger(12n), 12, 'a YAML integer as the schema sees it');
});

test('readInteger gives undefined, or the fallback, for anything that is not an integer', (t) => {
  t.is(readInteger(undefined), undefined);
  t.is(readInteger(null), undefined);
  t.is(readInteger('5'), undefined);
  t.is(readInteger(undefined, Infinity), Infinity);
  t.is(readInteger('5', 3), 3);
  t.is(readInteger(false, 3), 0, 'false is a value, not an absent key');
  t.is(readInteger(0, 3), 0);
});

test('readIntegerMap reads each value as an integer and an absent key as empty', (t) => {
  t.deepEqual(readIntegerMap({ 'L-43DA4232': 448, gpu: true, fpga: false }), { 'L-43DA4232': 448, gpu: 1, fpga: 0 });
  t.deepEqual(readIntegerMap(undefined), {});
});

test('readFloat reads numbers as themselves and booleans as 1 and 0', (t) => {
  t.is(readFloat(2.5), 2.5);
  t.is(readFloat(3), 3);
  t.is(readFloat(true), 1);
  t.is(readFloat(false), 0);
  t.is(readFloat(7n), 7);
});

test('readFloat parses numeric strings as Python float() does', (t) => {
  t.is(readFloat('2.5'), 2.5);
  t.is(readFloat('  -1.5e3 \n'), -1500, 'white space around it is ignored');
  t.is(readFloat('1_000.5'), 1000.5, 'underscores between digits are ignored');
  t.is(readFloat('.5'), 0.5);
  t.is(readFloat('+7'), 7);
  t.is(readFloat('007'), 7);
});

test('readFloat knows the infinities and nan in any case and with either sign', (t) => {
  t.is(readFloat('inf'), Infinity);
  t.is(readFloat('+Infinity'), Infinity);
  t.is(readFloat('-INF'), -Infinity);
  t.is(readFloat(' -infinity '), -Infinity);
  t.true(Number.isNaN(readFloat('nan')));
  t.true(Number.isNaN(readFloat('NaN')));
  t.true(Number.isNaN(readFloat('-nan')));
});

test('readFloat gives undefined, or the fallback, for an absent key', (t) => {
  t.is(readFloat(undefined), undefined);
  t.is(readFloat(undefined, 1), 1);
  t.is(readFloat(null, 1), 1);
  t.is(readFloat(0, 1), 0);
  t.is(readFloat('0', 1), 0);
});

test('readString gives strings and undefined for anything else', (t) => {
  t.is(readString('ssh'), 'ssh');
  t.is(readString(''), '');
  t.is(readString(undefined), undefined);
  t.is(readString(5), undefined);
});

test('readOptional gives null for an absent key and the value otherwise, as dict.get does', (t) => {
  t.is(readOptional(undefined), null);
  t.is(readOptional('x'), 'x');
  t.is(readOptional(false), false);
  t.is(readOptional(0), 0);
  const mapping = { a: 1 };
  t.is(readOptional(mapping), mapping);
});

test('winrm connects on 5986 by default and everything else on 22', (t) => {
  t.is(defaultConnectionPort('winrm'), 5986);
  t.is(defaultConnectionPort('ssh'), 22);
  t.is(defaultConnectionPort('network_cli'), 22);
});

test('readConnection fills in ssh and the default port of the connection type', (t) => {
  t.deepEqual(readConnection({}), { connectionType: 'ssh', connectionPort: 22 });
  t.deepEqual(readConnection({ 'connection-type': 'winrm' }), { connectionType: 'winrm', connectionPort: 5986 });
  t.deepEqual(readConnection({ 'connection-type': 'winrm', 'connection-port': 5985 }), { connectionType: 'winrm', connectionPort: 5985 });
  t.deepEqual(readConnection({ 'connection-port': true }), { connectionType: 'ssh', connectionPort: 1 });
});

test('readCommonProviderFields defaults max-concurrency to -1 and leaves priority unset', (t) => {
  t.deepEqual(readCommonProviderFields({ name: 'cloud', driver: 'gce' }), { name: 'cloud', maxConcurrency: -1, priority: undefined });
  t.deepEqual(readCommonProviderFields({ name: 'cloud', 'max-concurrency': 10, priority: 2 }), { name: 'cloud', maxConcurrency: 10, priority: 2 });
  t.deepEqual(readCommonProviderFields({ name: 'cloud', 'max-concurrency': true, priority: false }), { name: 'cloud', maxConcurrency: 1, priority: 0 });
});

test('readCommonPoolFields defaults max-servers to Infinity, or the given default', (t) => {
  t.deepEqual(readCommonPoolFields({ name: 'main' }), { maxServers: Infinity, nodeAttributes: null, priority: undefined });
  t.deepEqual(readCommonPoolFields({ name: 'main' }, 20), { maxServers: 20, nodeAttributes: null, priority: undefined });
  t.deepEqual(readCommonPoolFields({ 'max-servers': 5, 'node-attributes': { key: 'value' }, priority: 1 }, 20), {
    maxServers: 5,
    nodeAttributes: { key: 'value' },
    priority: 1,
  });
});
