import test from 'ava';
import { mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { installCommand } from '../../src/discovery/messages.js';

test('a driver is installed beside @nodepool/core: plainly from that folder', (t) => {
  t.is(installCommand('@nodepool/driver-aws', { coreLocation: '/opt/nodepool/node_modules/@nodepool/core/dist/index.js', cwd: '/opt/nodepool' }), 'npm install @nodepool/driver-aws');
});

test('from elsewhere, the command names the folder that holds core', (t) => {
  t.is(
    installCommand('@nodepool/driver-aws', { coreLocation: '/opt/nodepool/node_modules/@nodepool/core/dist/index.js', cwd: '/home/ops' }),
    'npm install --prefix /opt/nodepool @nodepool/driver-aws',
  );
  // A global install keeps core inside the CLI's own folder; the driver must share that core.
  t.is(
    installCommand('@nodepool/driver-aws', { coreLocation: '/usr/lib/node_modules/@nodepool/cli/node_modules/@nodepool/core/dist/index.js', cwd: '/home/ops' }),
    'npm install --prefix /usr/lib/node_modules/@nodepool/cli @nodepool/driver-aws',
  );
});

test('a folder reached through a symbolic link counts as the same folder', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'nodepool-install-'));
  t.teardown(() => rm(dir, { recursive: true, force: true }));
  await symlink(dir, `${dir}-link`);
  t.teardown(() => rm(`${dir}-link`, { force: true }));
  t.is(installCommand('x', { coreLocation: `${dir}/node_modules/@nodepool/core/dist/index.js`, cwd: `${dir}-link` }), 'npm install x');
});

test('core not installed from npm (a checkout) gets the plain command', (t) => {
  t.is(installCommand('@nodepool/driver-gce', { coreLocation: '/src/nodepool-ts/packages/core/src/discovery/messages.ts', cwd: '/tmp' }), 'npm install @nodepool/driver-gce');
});
