import test from 'ava';
import { fileURLToPath } from 'node:url';
import { DriverRegistry } from '@nodepool/core';
import drivers, { kubernetesDriver, openshiftDriver, openshiftPodsDriver } from '@nodepool/driver-k8s';

test('the default export holds one driver for each declared name', (t) => {
  t.deepEqual(
    drivers.map((driver) => driver.name),
    ['kubernetes', 'openshift', 'openshiftpods'],
  );
  t.deepEqual(drivers, [kubernetesDriver, openshiftDriver, openshiftPodsDriver]);
});

for (const name of ['kubernetes', 'openshift', 'openshiftpods']) {
  test(`discovery finds the ${name} driver in this package`, async (t) => {
    const registry = new DriverRegistry({ searchFrom: [fileURLToPath(new URL('..', import.meta.url))] });
    const driver = await registry.resolve(name);
    t.is(driver.name, name);
  });
}
