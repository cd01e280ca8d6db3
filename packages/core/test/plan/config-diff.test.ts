import test from 'ava';
import { diffMappings } from '@nodepool/core';

test('named entries are matched by name: a reordering is no change', (t) => {
  const before = { labels: [{ name: 'a' }, { name: 'b', 'min-ready': 1 }] };
  const after = { labels: [{ name: 'b', 'min-ready': 1 }, { name: 'a' }] };
  t.deepEqual(diffMappings(before, after), { settings: [], entries: [] });
});

test('changed entries list their settings and inner entries; added and removed ones are named', (t) => {
  const before = { providers: [{ name: 'p', pools: [{ name: 'main', 'max-servers': 1, labels: [{ name: 'x' }] }] }], 'max-hold-age': 10 };
  const after = { providers: [{ name: 'p', pools: [{ name: 'main', 'max-servers': 2, labels: [] }, { name: 'more' }] }] };
  t.deepEqual(diffMappings(before, after), {
    settings: [{ key: 'max-hold-age', old: 10, new: undefined }],
    entries: [
      {
        action: 'change',
        kind: 'provider',
        name: 'p',
        settings: [],
        entries: [
          {
            action: 'change',
            kind: 'pool',
            name: 'main',
            settings: [{ key: 'max-servers', old: 1, new: 2 }],
            entries: [{ action: 'remove', kind: 'label', name: 'x', settings: [], entries: [] }],
          },
          { action: 'add', kind: 'pool', name: 'more', settings: [], entries: [] },
        ],
      },
    ],
  });
});

test('lists without distinct names are compared as values', (t) => {
  const before = { labels: [{ name: 'a' }, { name: 'a' }] };
  const after = { labels: [{ name: 'a' }] };
  t.deepEqual(diffMappings(before, after).settings, [{ key: 'labels', old: before.labels, new: after.labels }]);
});

test('tenant limits are matched by tenant-name', (t) => {
  const diff = diffMappings({ 'tenant-resource-limits': [{ 'tenant-name': 'acme', 'max-servers': 5 }] }, { 'tenant-resource-limits': [{ 'tenant-name': 'acme', 'max-servers': 8 }] });
  t.deepEqual(diff.entries, [{ action: 'change', kind: 'tenant', name: 'acme', settings: [{ key: 'max-servers', old: 5, new: 8 }], entries: [] }]);
});
