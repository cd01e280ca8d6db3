import test from 'ava';
import { formatAge, pythonJsonDumps, pythonRepr, renderPrettyTable, renderStatusText, type StatusListing } from '@nodepool/core';

test('ages print as DD:HH:MM:SS, truncated, days growing past two digits', (t) => {
  t.is(formatAge(1000, 1000 + 93_784.9), '01:02:03:04');
  t.is(formatAge(0, 0.4), '00:00:00:00');
  t.is(formatAge(0, 123 * 86_400 + 59), '123:00:00:59');
});

test('an age in the future prints as Python does, with a negative day', (t) => {
  t.is(formatAge(100, 95), '-1:23:59:55');
});

test('a table has a left-aligned PrettyTable frame and no trailing newline', (t) => {
  t.is(
    renderPrettyTable(['ID', 'Provider'], [['0000000567', 'cloud-a'], ['8', 'b']]),
    ['+------------+----------+', '| ID         | Provider |', '+------------+----------+', '| 0000000567 | cloud-a  |', '| 8          | b        |', '+------------+----------+'].join('\n'),
  );
});

test('an empty table keeps its frame; a cell with a line break spans two lines', (t) => {
  t.is(renderPrettyTable(['Label'], []), ['+-------+', '| Label |', '+-------+', '+-------+'].join('\n'));
  t.is(renderPrettyTable(['A', 'B'], [['x\nyy', 'z']]), ['+----+---+', '| A  | B |', '+----+---+', '| x  | z |', '| yy |   |', '+----+---+'].join('\n'));
});

test('cells print as Python str(): None, True, lists joined with commas, dicts as repr', (t) => {
  const listing: StatusListing = {
    columns: [
      { key: 'a', title: 'A' },
      { key: 'b', title: 'B' },
      { key: 'c', title: 'C' },
      { key: 'd', title: 'D' },
    ],
    rows: [{ a: null, b: true, c: ['x', 'y'], d: { name: "it's", n: [1, null, false] } }],
  };
  const text = renderStatusText(listing).split('\n')[3];
  t.is(text, `| None | True | x,y | {'name': "it's", 'n': [1, None, False]} |`);
});

test('Unix times in age columns print as ages; a null …_age stays None', (t) => {
  const listing: StatusListing = {
    columns: [
      { key: 'age', title: 'Age' },
      { key: 'build_request_age', title: 'Build Request Age' },
      { key: 'other_age', title: 'Other' },
    ],
    rows: [{ age: 1000, build_request_age: 1000, other_age: null }],
  };
  t.is(renderStatusText(listing, { now: 1061 }).split('\n')[3], '| 00:00:01:01 | 00:00:01:01       | None  |');
});

test('fields keep only the listed columns, in the listing order, ignoring unknown keys', (t) => {
  const listing: StatusListing = { columns: [{ key: 'a', title: 'A' }, { key: 'b', title: 'B' }], rows: [{ a: 1, b: 2 }] };
  t.is(renderStatusText(listing, { fields: ['b', 'nope', 'a'] }).split('\n')[1], '| A | B |');
  t.is(renderStatusText(listing, { fields: ['b'] }).split('\n')[3], '| 2 |');
});

test('JSON is written as Python json.dumps writes it', (t) => {
  t.is(pythonJsonDumps([{ id: '1', label: ['a', 'b'], port: 22, user: null, ok: true, name: 'café' }]), '[{"id": "1", "label": ["a", "b"], "port": 22, "user": null, "ok": true, "name": "caf\\u00e9"}]');
  t.is(pythonRepr(1e-7), '1e-07');
});
