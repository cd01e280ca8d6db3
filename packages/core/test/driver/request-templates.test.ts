import test from 'ava';
import { Writable } from 'node:stream';
import winston from 'winston';
import { formatRequestTemplates, NodeRequest, PythonFormatError, pythonFormat, pythonRepr } from '@nodepool/core';

/** A logger whose entries are kept, as written, for the test to read. */
function recordingLogger(): { log: winston.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    objectMode: true,
    write(entry: Record<string, unknown>, _encoding, done) {
      lines.push(entry);
      done();
    },
  });
  return { log: winston.createLogger({ transports: [new winston.transports.Stream({ stream })] }), lines };
}

function request(): NodeRequest {
  return Object.assign(new NodeRequest(), {
    id: '100-0000000012',
    nodeTypes: ['small', 'large'],
    requestor: 'zuul-scheduler',
    requestorData: { job: 'tox' },
    tenantName: 'example',
  });
}

test('templates are formatted from the request’s safe attributes; one that does not format is logged and left out', (t) => {
  const { log, lines } = recordingLogger();
  const formatted = formatRequestTemplates(
    { job: '{request.requestor_data[job]}', labels: '{request.labels}', tenant: '{request.tenant_name}', bad: '{request.nope}' },
    request(),
    log,
    'dynamic tag',
  );
  t.deepEqual(formatted, { job: 'tox', labels: "['small', 'large']", tenant: 'example' });
  t.is(lines.length, 1);
  t.like(lines[0], { level: 'warn', message: 'could not format a dynamic tag; leaving it out', key: 'bad' });
});

test('str.format as Nodepool’s templates use it: escapes, conversions, and Python’s errors', (t) => {
  const names = { request: { id: '1', data: { k: "it's" }, none: null } };
  t.is(pythonFormat('{{literal}} {request.id}', names), '{literal} 1');
  t.is(pythonFormat('{request.data[k]!r} {request.none}', names), `"it's" None`);
  t.is(pythonRepr(['a\'b"c', 'tab\there', 'back\\slash']), `['a\\'b"c', 'tab\\there', 'back\\\\slash']`);
  t.throws(() => pythonFormat('{request.id:>4}', names), { instanceOf: PythonFormatError });
  t.throws(() => pythonFormat('{other}', names), { message: "KeyError: 'other'" });
  t.throws(() => pythonFormat('oops }', names), { message: "Single '}' encountered in format string" });
});
