import test from 'ava';
import { childPath, parentPath, validatePath } from '@nodepool/zookeeper';

test('accepts ordinary absolute paths and the root', (t) => {
  for (const path of ['/', '/a', '/nodepool/nodes/0000000001/lock', '/with-dash_and.dot']) {
    t.notThrows(() => validatePath(path), path);
  }
});

test('a trailing slash is only allowed as a sequential prefix', (t) => {
  t.throws(() => validatePath('/nodepool/nodes/'), { message: /must not end with/ });
  t.notThrows(() => validatePath('/nodepool/nodes/', true));
  t.throws(() => validatePath('/', true), { message: /root/ });
});

test('rejects what the server would reject', (t) => {
  for (const path of ['', 'a', '/a//b', '/a/./b', '/a/../b', '/a\u0000b', '/a\u0001', '/\ud83d\ude00']) {
    t.throws(() => validatePath(path), { instanceOf: TypeError }, JSON.stringify(path));
  }
});

test('parent and child paths', (t) => {
  t.is(parentPath('/a/b/c'), '/a/b');
  t.is(parentPath('/a'), '/');
  t.is(parentPath('/'), '/');
  t.is(childPath('/', 'a'), '/a');
  t.is(childPath('/a', 'b'), '/a/b');
});
