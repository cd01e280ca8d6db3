import test from 'ava';
import { matchesFields, parseFieldSelector } from '../../src/testing/field-selector.js';

const POD_FIELDS = ['metadata.name', 'metadata.namespace', 'status.phase'];

test('field selectors match dotted paths with =, == and !=', (t) => {
  const pod = { metadata: { name: 'web', namespace: 'team' }, status: { phase: 'Running' } };
  t.true(matchesFields(parseFieldSelector('metadata.name=web', POD_FIELDS), pod));
  t.true(matchesFields(parseFieldSelector('metadata.namespace==team,status.phase!=Pending', POD_FIELDS), pod));
  t.false(matchesFields(parseFieldSelector('status.phase=Pending', POD_FIELDS), pod));
  t.true(matchesFields(parseFieldSelector('status.phase=', POD_FIELDS), { metadata: { name: 'new' } }), 'a missing field reads as empty');
});

test('a field the resource does not support is a 400 naming it', (t) => {
  const error = t.throws(() => parseFieldSelector('spec.image=x', POD_FIELDS)) as unknown as { code: number; message: string };
  t.is(error.code, 400);
  t.is(error.message, 'field label not supported: spec.image');
  t.like(t.throws(() => parseFieldSelector('metadata.name', POD_FIELDS)), { code: 400 });
});
