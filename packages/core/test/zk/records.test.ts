import test from 'ava';
import {
  Component,
  ImageBuild,
  ImageUpload,
  Node,
  NodeRequest,
  compareRequests,
  declinedByEveryPool,
  orderNodesForRequest,
  parseRecordJson,
  stringifyRecordJson,
  RecordFormatError,
} from '@nodepool/core';
import { pendingRequest, poolComponent, readyNode, zuulCreationDocument, zuulInUseNode } from './fixtures/records.js';

const roundTrip = (json: object): Record<string, unknown> => JSON.parse(stringifyRecordJson(json as Record<string, unknown>).toString()) as Record<string, unknown>;

test('a node written by the original reads back and writes out key for key', (t) => {
  const node = Node.fromJson('0000000567', readyNode, 3);
  t.is(node.state, 'ready');
  t.is(node.allocatedTo, '200-0000004711');
  t.deepEqual(node.resources, { cores: 4, instances: 1, ram: 8192 });
  t.is(node.version, 3);
  t.deepEqual(roundTrip(node.toJson()), readyNode);
});

test('node JSON always has all 36 keys, with ssh_port duplicating connection_port', (t) => {
  const node = new Node();
  node.setState('init', 1700000000.5);
  const json = node.toJson();
  t.is(Object.keys(json).length, 36);
  t.deepEqual(Object.keys(json).sort(), Object.keys(readyNode).sort());
  t.is(json.ssh_port, json.connection_port);
  t.is(json.allocated_to, null);
  t.is(json.username, 'zuul');
});

test("Zuul's id key is read past and not written back", (t) => {
  const node = Node.fromJson('0000000567', zuulInUseNode);
  t.is(node.state, 'in-use');
  t.deepEqual(node.userData, zuulInUseNode.user_data);
  t.false('id' in node.toJson());
});

test('a Kubernetes connection_port object survives, in both port keys', (t) => {
  const port = { name: 'zuul-ci-abc', namespace: 'zuul-ci-abc', host: 'https://k8s:6443', skiptls: false, token: 't0k3n', user: 'zuul-worker', ca_crt: 'LS0t' };
  const node = Node.fromJson('1', { ...readyNode, connection_port: port, ssh_port: port, connection_type: 'namespace' });
  t.deepEqual(node.connectionPort, port);
  const json = node.toJson();
  t.deepEqual(json.connection_port, port);
  t.deepEqual(json.ssh_port, port);
});

test('legacy node shapes: bare-string type, ssh_port only, string hold_expiration', (t) => {
  const { connection_port: _dropped, ...withoutConnectionPort } = readyNode;
  const node = Node.fromJson('1', { ...withoutConnectionPort, type: 'centos-7', ssh_port: 2222, hold_expiration: '3600' });
  t.deepEqual(node.type, ['centos-7']);
  t.is(node.connectionPort, 2222);
  t.is(node.holdExpiration, 3600);
  t.is(Node.fromJson('1', { ...readyNode, hold_expiration: 'soon' }).holdExpiration, 0);
  t.deepEqual(Node.fromJson('1', { ...readyNode, type: null }).type, []);
  t.deepEqual(Node.fromJson('1', { ...readyNode, type: '' }).type, []);
});

test('absent keys take the reader defaults of the spec', (t) => {
  const node = Node.fromJson('1', { state: 'ready', state_time: 1 });
  t.is(node.username, 'zuul');
  t.is(node.connectionPort, 22);
  t.deepEqual(node.hostKeys, []);
  t.deepEqual(node.type, []);
  t.is(node.allocatedTo, null);
});

test('a node with a missing or unknown state is rejected as corrupt', (t) => {
  t.throws(() => Node.fromJson('1', { state_time: 1 }), { instanceOf: RecordFormatError });
  t.throws(() => Node.fromJson('1', { state: 'exploded' }), { instanceOf: RecordFormatError, message: /exploded/ });
});

test("Zuul's reduced creation document reads with the defaults", (t) => {
  const request = NodeRequest.fromJson('200-0000004711', zuulCreationDocument);
  t.is(request.state, 'requested');
  t.deepEqual(request.declinedBy, []);
  t.deepEqual(request.nodes, []);
  t.true(request.reuse);
  t.is(request.priority, '200');
  t.is(request.sequence, '0000004711');
  t.is(request.tenantName, 'acme');
});

const corruptRequests: [string, Record<string, unknown>, RegExp][] = [
  ['labels that are not strings', { node_types: [42, null, { x: [] }] }, /node_types is \[42,null,\{"x":\[\]\}\], not a list of strings/],
  ['a single label instead of a list', { node_types: 'x' }, /node_types is "x", not a list of strings/],
  ['node ids that are numbers', { nodes: [1] }, /nodes is \[1\], not a list of strings/],
  ['a requestor that is a number', { requestor: 42 }, /requestor is 42, not a string or null/],
  ['a relative priority that is a fraction', { relative_priority: 0.5 }, /relative_priority is 0.5, not an integer/],
  ['reuse as a string', { reuse: 'yes' }, /reuse is "yes", not a boolean/],
  ['a state time as text', { state_time: 'now' }, /state_time is "now", not a number/],
  ['a missing state', { state: undefined }, /request state undefined/],
];

for (const [title, change, message] of corruptRequests) {
  test(`a request with ${title} is corrupt, never coerced`, (t) => {
    const json: Record<string, unknown> = { ...zuulCreationDocument, ...change };
    for (const [key, value] of Object.entries(change)) if (value === undefined) delete json[key];
    t.throws(() => NodeRequest.fromJson('200-0000004711', json), { instanceOf: RecordFormatError, message });
  });
}

test('a request is written with exactly its 13 keys, requestor_data verbatim', (t) => {
  const request = NodeRequest.fromJson('200-0000004711', zuulCreationDocument);
  request.setState('pending', 1700000001.02);
  const json = roundTrip(request.toJson());
  t.deepEqual(json, pendingRequest);
  t.is(Object.keys(json).length, 13);
});

test('requests order by prefix, then relative_priority, then sequence; never by name alone', (t) => {
  const make = (id: string, relativePriority: number) => {
    const request = new NodeRequest();
    request.id = id;
    request.relativePriority = relativePriority;
    return request;
  };
  const requests = [
    make('300-0000000001', 0),
    make('200-0000000009', 0),
    make('200-0000000002', 5),
    make('100-0000000010', 2),
    make('200-0000000003', 0),
    make('099-0000000050', 9),
  ];
  t.deepEqual(
    [...requests].sort(compareRequests).map((request) => request.id),
    ['099-0000000050', '100-0000000010', '200-0000000003', '200-0000000009', '200-0000000002', '300-0000000001'],
  );
});

test('a request fails only once every registered pool has declined it', (t) => {
  const request = NodeRequest.fromJson('200-1', { ...zuulCreationDocument, declined_by: ['pool-a'] });
  t.false(declinedByEveryPool(request, ['pool-a', 'pool-b-without-the-labels']));
  request.declinedBy.push('pool-b-without-the-labels');
  t.true(declinedByEveryPool(request, ['pool-a', 'pool-b-without-the-labels']));
});

test('fulfilled nodes follow the order of node_types, duplicates included', (t) => {
  const nodes = [
    { id: '3', type: ['b'] },
    { id: '1', type: ['a'] },
    { id: '2', type: ['a'] },
  ];
  t.deepEqual(orderNodesForRequest(['a', 'b', 'a'], nodes), ['1', '3', '2']);
  t.throws(() => orderNodesForRequest(['c'], nodes));
});

test("Python's NaN and Infinity are read as numbers; writes never contain them", (t) => {
  const json = parseRecordJson(Buffer.from('{"state": "ready", "resources": {"cores": NaN, "ram": Infinity, "disk": -Infinity}, "comment": "NaN stays text"}'))!;
  const resources = json.resources as Record<string, number>;
  t.true(Number.isNaN(resources.cores));
  t.is(resources.ram, Infinity);
  t.is(resources.disk, -Infinity);
  t.is(json.comment, 'NaN stays text');
  const written = stringifyRecordJson({ value: Number.NaN, other: Infinity }).toString();
  t.is(written, '{"value":null,"other":null}');
});

test('empty data is no record; garbage and non-objects are corrupt', (t) => {
  t.is(parseRecordJson(Buffer.alloc(0)), undefined);
  t.throws(() => parseRecordJson(Buffer.from('{not json')), { instanceOf: RecordFormatError });
  t.throws(() => parseRecordJson(Buffer.from('[1,2]')), { instanceOf: RecordFormatError });
  t.throws(() => parseRecordJson(Buffer.from('"text"')), { instanceOf: RecordFormatError });
});

test('timestamps are float seconds, not milliseconds', (t) => {
  const node = new Node();
  node.setState('building');
  t.true(node.stateTime > 1.6e9 && node.stateTime < 1e11, `${node.stateTime} is not epoch seconds`);
});

test('component records keep unknown keys and model_api is the integer 0', (t) => {
  const component = Component.fromJson('pool', 'nl01.example.org0000000004', { ...poolComponent, future_key: 'kept' });
  t.deepEqual(component.supportedLabels, ['debian-bookworm', 'ubuntu-noble']);
  t.is(component.priority, 100);
  t.is(component.toJson().future_key, 'kept');
  const fresh = new Component('launcher', { hostname: 'nl02' });
  t.is(fresh.toJson().model_api, 0);
  t.is(stringifyRecordJson(fresh.toJson(), { sortKeys: true }).toString(), '{"hostname":"nl02","kind":"launcher","model_api":0,"state":"stopped"}');
});

test('image builds omit unknown builder fields and empty formats, as the original', (t) => {
  const build = new ImageBuild();
  build.setState('failed', 1);
  t.deepEqual(build.toJson(), { state: 'failed', state_time: 1, username: 'zuul', python_path: '/usr/bin/python2', shell_type: null });
  build.formats = ['raw', 'qcow2'];
  build.builder = 'nb01';
  t.is(build.toJson().formats, 'qcow2,raw');
  const read = ImageBuild.fromJson('debian', 'abc', { state: 'ready', state_time: 2, formats: 'qcow2,raw' });
  t.deepEqual(read.formats, ['qcow2', 'raw']);
  t.is(read.username, 'zuul');
  t.is(read.pythonPath, '/usr/bin/python2');
});

test('image uploads carry their ids and read with defaults', (t) => {
  const upload = ImageUpload.fromJson(
    { image: 'debian', buildId: 'abc', provider: 'cloud-a', id: '0000000012' },
    { state: 'ready', state_time: 3, external_id: 'ami-1', external_name: 'debian-1', format: 'raw', python_path: null },
  );
  t.is(upload.path, '/nodepool/images/debian/builds/abc/providers/cloud-a/images/0000000012');
  t.is(upload.username, 'zuul');
  t.is(upload.pythonPath, null);
  t.deepEqual(Object.keys(upload.toJson()).sort(), ['external_id', 'external_name', 'format', 'python_path', 'shell_type', 'state', 'state_time', 'username']);
});
