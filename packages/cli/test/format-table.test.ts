import test from 'ava';
import { formatTable } from '../src/format-table.js';

test('columns are as wide as their widest cell, two spaces apart, without trailing spaces', (t) => {
  t.deepEqual(formatTable(['NODE', 'LABEL', 'PORT'], [['0000000001', 'small', '22'], ['0000000002', 'a-long-label', '-']]), [
    'NODE        LABEL         PORT',
    '0000000001  small         22',
    '0000000002  a-long-label  -',
  ]);
});

test('a table without rows is its header', (t) => {
  t.deepEqual(formatTable(['NODE', 'LABEL'], []), ['NODE  LABEL']);
});
