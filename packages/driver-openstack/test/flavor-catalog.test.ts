import test from 'ava';
import { pickFlavor, sortFlavors } from '../src/flavor-catalog.js';

const flavors = sortFlavors([
  { id: '3', name: 'm1.medium', vcpus: 2, ram: 4096, disk: 40 },
  { id: '1', name: 'm1.tiny', vcpus: 1, ram: 512, disk: 1 },
  { id: 'd2', name: 'ds2G', vcpus: 2, ram: 2048, disk: 10 },
  { id: '2', name: 'm1.small', vcpus: 1, ram: 2048, disk: 20 },
  { id: 'g1', name: 'gpu.medium', vcpus: 8, ram: 4096, disk: 40 },
]);

test('flavors are ordered by RAM, then name, as the original sorts them', (t) => {
  t.deepEqual(flavors.map((flavor) => flavor.name), ['m1.tiny', 'ds2G', 'm1.small', 'gpu.medium', 'm1.medium']);
});

test('min-ram picks the smallest flavor with that much RAM, whose name contains flavor-name if given', (t) => {
  t.is(pickFlavor(flavors, { name: 'l', minRam: 1024, flavorName: null }).name, 'ds2G');
  t.is(pickFlavor(flavors, { name: 'l', minRam: 1024, flavorName: 'm1' }).name, 'm1.small');
  t.is(pickFlavor(flavors, { name: 'l', minRam: 3000, flavorName: 'medium' }).name, 'gpu.medium');
  t.throws(() => pickFlavor(flavors, { name: 'l', minRam: 99_999, flavorName: null }), { message: /Unable to find flavor with min ram: 99999/ });
});

test('without min-ram, flavor-name must be a flavor\'s exact name or ID', (t) => {
  t.is(pickFlavor(flavors, { name: 'l', minRam: 0, flavorName: 'm1.medium' }).id, '3');
  t.is(pickFlavor(flavors, { name: 'l', minRam: 0, flavorName: 'd2' }).name, 'ds2G');
  t.throws(() => pickFlavor(flavors, { name: 'l', minRam: 0, flavorName: 'm1' }), { message: /Unable to find flavor: m1/ });
});
