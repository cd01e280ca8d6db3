import test from 'ava';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  DriverLoadError,
  DriverNameMismatchError,
  DriverNotFoundError,
  DriverRegistry,
  InvalidDriverError,
  driverPackageCandidates,
  driverShorthand,
} from '@nodepool/core';

const fixtures = join(dirname(fileURLToPath(import.meta.url)), '..', 'fixtures', 'drivers');

/** A project whose node_modules holds the given fixture packages (linked, as npm link would). */
async function project(t: import('ava').ExecutionContext, packages: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-discovery-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  for (const [name, fixture] of Object.entries(packages)) {
    const target = join(dir, 'node_modules', name);
    await mkdir(dirname(target), { recursive: true });
    await symlink(join(fixtures, fixture), target, 'dir');
  }
  return dir;
}

test('candidate packages: scoped names as is, bare names with both prefixes, and back', (t) => {
  t.deepEqual(driverPackageCandidates('gce'), ['@nodepool/driver-gce', 'nodepool-driver-gce']);
  t.deepEqual(driverPackageCandidates('@acme/nodepool-things'), ['@acme/nodepool-things']);
  t.is(driverShorthand('@nodepool/driver-gce'), 'gce');
  t.is(driverShorthand('nodepool-driver-gce'), 'gce');
  t.is(driverShorthand('@acme/nodepool-things'), '@acme/nodepool-things');
});

test('finds the workspace drivers by name, a package serving several names included', async (t) => {
  const registry = new DriverRegistry();
  t.is((await registry.resolve('static')).name, 'static');
  t.true(registry.availableDrivers().includes('static'));
});

test('finds any installed package that declares the name, whatever it is called', async (t) => {
  const dir = await project(t, { 'multi-cloud-drivers': 'declared-elsewhere' });
  const registry = new DriverRegistry({ searchFrom: [dir] });
  t.is((await registry.resolve('beta')).name, 'beta');
  t.is((await registry.resolve('alpha')).name, 'alpha');
});

test('a scoped package name loads that package', async (t) => {
  const dir = await project(t, { '@acme/nodepool-things': 'scoped' });
  const driver = await new DriverRegistry({ searchFrom: [dir] }).resolve('@acme/nodepool-things');
  t.is(driver.name, 'things');
});

test('an unknown name fails in one line with what exists and what to install, keeping what was tried', async (t) => {
  const dir = await project(t, { 'multi-cloud-drivers': 'declared-elsewhere' });
  const error = await t.throwsAsync(new DriverRegistry({ searchFrom: [dir] }).resolve('nimbus', { what: 'providers[2] (name: nimbus-east)', file: '/etc/nodepool/nodepool.yaml' }), {
    instanceOf: DriverNotFoundError,
  });
  t.deepEqual(error.tried, ['@nodepool/driver-nimbus', 'nodepool-driver-nimbus']);
  t.is(error.details.searchedFrom[0], dir);
  t.is(error.details.installCommand, 'npm install @nodepool/driver-nimbus');
  // Core's own location is searched too, so the workspace's drivers are among those found.
  t.regex(error.message, /^Driver "nimbus" could not be found\. Drivers found: alpha, (\w+, )*beta, (\w+, )*static\. Install it with: npm install @nodepool\/driver-nimbus$/);
});

test('a driver served by a package of another name is to be installed by that package', async (t) => {
  const error = await t.throwsAsync(DriverRegistry.of().resolve('openshiftpods'), { instanceOf: DriverNotFoundError });
  t.regex(error.message, /Install it with: npm install @nodepool\/driver-k8s$/);
});

test('a package that throws while loading is reported as broken, with the cause', async (t) => {
  const dir = await project(t, { 'nodepool-driver-throws': 'throws-on-import' });
  const error = await t.throwsAsync(new DriverRegistry({ searchFrom: [dir] }).resolve('throws'), { instanceOf: DriverLoadError });
  t.regex(error.message, /^Driver "throws" was found in nodepool-driver-throws \(.*\) but failed to load: boom while importing\./);
  t.notRegex(error.message, /\n/, 'one line');
  t.is((error.cause as Error).message, 'boom while importing');
});

test('a package whose own dependency is missing is broken, not "not installed"', async (t) => {
  const dir = await project(t, { 'nodepool-driver-needy': 'missing-dependency' });
  const error = await t.throwsAsync(new DriverRegistry({ searchFrom: [dir] }).resolve('needy'), { instanceOf: DriverLoadError });
  t.regex(error.message, /a-package-nobody-installed/);
});

test('a package without a default export, or with the wrong shape, is not a valid driver', async (t) => {
  const dir = await project(t, { 'nodepool-driver-nodefault': 'no-default-export', 'nodepool-driver-shapeless': 'wrong-shape' });
  const registry = new DriverRegistry({ searchFrom: [dir] });
  const noDefault = await t.throwsAsync(registry.resolve('nodefault'), { instanceOf: InvalidDriverError });
  t.deepEqual(noDefault.missing, ['default export']);
  const shapeless = await t.throwsAsync(registry.resolve('shapeless'), { instanceOf: InvalidDriverError });
  t.deepEqual(shapeless.missing, ['providerSchema', 'parseConfig']);
  t.regex(shapeless.message, /does not look like a valid Nodepool driver/);
});

test('a package exporting a driver under another name than it declares is refused', async (t) => {
  const dir = await project(t, { 'nodepool-driver-liar': 'name-mismatch' });
  const error = await t.throwsAsync(new DriverRegistry({ searchFrom: [dir] }).resolve('liar'), { instanceOf: DriverNameMismatchError });
  t.regex(error.message, /declares: liar; the module exports: truthful/);
});
