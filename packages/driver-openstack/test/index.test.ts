import test from 'ava';
import { readFile } from 'node:fs/promises';
import drivers, { fakeDriver, openStackDriver } from '@nodepool/driver-openstack';

test('the package serves openstack and fake with one schema', (t) => {
  t.deepEqual(drivers.map((driver) => driver.name), ['openstack', 'fake']);
  t.is(openStackDriver.providerSchema, fakeDriver.providerSchema);
});

test('package.json declares both driver names', async (t) => {
  const pkg = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8')) as { nodepool: { drivers: string[] } };
  t.deepEqual(pkg.nodepool.drivers, drivers.map((driver) => driver.name));
});
