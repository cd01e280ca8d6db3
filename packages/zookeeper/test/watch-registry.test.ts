import test from 'ava';
import { WatchRegistry, type WatchEvent } from '../src/watches.js';

function setup() {
  const errors: unknown[] = [];
  const registry = new WatchRegistry((error) => errors.push(error));
  const calls: string[] = [];
  const listener = (name: string) => (event: WatchEvent) => void calls.push(`${name}:${event.type}:${event.path}`);
  return { registry, calls, listener, errors };
}

test('one-shot watches fire on the events the server fires them for, then are gone', (t) => {
  const { registry, calls, listener } = setup();
  registry.add('data', '/a', listener('data'));
  registry.add('exist', '/b', listener('exist'));
  registry.add('children', '/a', listener('children'));
  registry.dispatch({ type: 'children', path: '/a' });
  registry.dispatch({ type: 'created', path: '/b' });
  registry.dispatch({ type: 'changed', path: '/a' });
  registry.dispatch({ type: 'changed', path: '/a' });
  t.deepEqual(calls, ['children:children:/a', 'exist:created:/b', 'data:changed:/a']);
  t.deepEqual(registry.snapshot(), { data: [], exist: [], children: [], persistent: [], persistentRecursive: [] });
});

test('deletion fires data, exist and child watches alike', (t) => {
  const { registry, calls, listener } = setup();
  registry.add('data', '/x', listener('data'));
  registry.add('children', '/x', listener('children'));
  registry.dispatch({ type: 'deleted', path: '/x' });
  t.deepEqual(calls, ['data:deleted:/x', 'children:deleted:/x']);
});

test('recursive watches cover descendants but never receive child-list events', (t) => {
  const { registry, calls, listener } = setup();
  registry.add('persistent-recursive', '/', listener('root'));
  registry.add('persistent-recursive', '/a', listener('a'));
  registry.dispatch({ type: 'created', path: '/a/b/c' });
  registry.dispatch({ type: 'children', path: '/a/b' });
  registry.dispatch({ type: 'changed', path: '/z' });
  t.deepEqual(calls, ['a:created:/a/b/c', 'root:created:/a/b/c', 'root:changed:/z']);
});

test('persistent watches stay after firing and are listed for restoring', (t) => {
  const { registry, calls, listener } = setup();
  registry.add('persistent', '/p', listener('p'));
  registry.dispatch({ type: 'changed', path: '/p' });
  registry.dispatch({ type: 'children', path: '/p' });
  t.deepEqual(calls, ['p:changed:/p', 'p:children:/p']);
  t.deepEqual(registry.persistentPaths(), [{ path: '/p', recursive: false }]);
});

test('dropping one-shot watches tells their listeners the session was lost', (t) => {
  const { registry, calls, listener } = setup();
  registry.add('data', '/d', listener('data'));
  registry.add('persistent', '/p', listener('p'));
  registry.dropOneShot();
  t.deepEqual(calls, ['data:session-lost:/d']);
  t.deepEqual(registry.snapshot().persistent, ['/p']);
});

test('a throwing listener is reported and the others still run', (t) => {
  const { registry, calls, listener, errors } = setup();
  registry.add('data', '/t', () => {
    throw new Error('boom');
  });
  registry.add('data', '/t', listener('ok'));
  registry.dispatch({ type: 'changed', path: '/t' });
  t.is((errors[0] as Error).message, 'boom');
  t.deepEqual(calls, ['ok:changed:/t']);
});
