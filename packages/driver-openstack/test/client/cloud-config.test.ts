import test from 'ava';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { candidateFiles, loadCloudConfig } from '../../src/client/cloud-config.js';
import { CloudConfigError } from '../../src/client/openstack-errors.js';

/** An empty working directory and home, and an environment naming only what a test gives. */
async function sandbox(t: { teardown(fn: () => unknown): void }) {
  const root = await mkdtemp(join(tmpdir(), 'clouds-yaml-'));
  t.teardown(() => rm(root, { recursive: true, force: true }));
  const cwd = join(root, 'work');
  const home = join(root, 'home');
  await mkdir(cwd, { recursive: true });
  await mkdir(join(home, '.config', 'openstack'), { recursive: true });
  return { root, cwd, home, sources: (env: NodeJS.ProcessEnv = {}) => ({ cwd, home, env: { XDG_CONFIG_DIRS: join(root, 'no-site'), ...env } }) };
}

const cloud = (name: string, extra = '') => `clouds:
  ${name}:
    auth:
      auth_url: https://keystone.example.com/v3
      username: zuul
      project_name: ci
      user_domain_name: Default
      project_domain_name: Default
${extra}`;

test('looks where openstacksdk does, in its order: OS_CLIENT_CONFIG_FILE, the working directory, the user config, the site config', async (t) => {
  const { cwd, home, root, sources } = await sandbox(t);
  const files = candidateFiles('clouds', sources({ OS_CLIENT_CONFIG_FILE: '/x/clouds.yaml' }));
  t.deepEqual(files.slice(0, 4), ['/x/clouds.yaml', join(cwd, 'clouds.yaml'), join(cwd, 'clouds.yml'), join(cwd, 'clouds.json')]);
  t.true(files.indexOf(join(home, '.config', 'openstack', 'clouds.yaml')) > files.indexOf(join(cwd, 'clouds.json')));
  t.true(files.includes(join(root, 'no-site', 'openstack', 'clouds.yaml')));
  t.is(files.at(-3), '/etc/openstack/clouds.yaml');

  await writeFile(join(home, '.config', 'openstack', 'clouds.yaml'), cloud('home'));
  t.is(loadCloudConfig('home', null, sources()).file, join(home, '.config', 'openstack', 'clouds.yaml'));
  // The first file found is the one read, as with openstacksdk: a cloud only in a later one is not seen.
  await writeFile(join(cwd, 'clouds.yaml'), cloud('here'));
  t.is(loadCloudConfig('here', null, sources()).file, join(cwd, 'clouds.yaml'));
  t.throws(() => loadCloudConfig('home', null, sources()), { instanceOf: CloudConfigError, message: /cloud home is not in .*work\/clouds\.yaml \(it has: here\)/ });
  const override = join(root, 'override.yaml');
  await writeFile(override, cloud('override'));
  t.is(loadCloudConfig('override', null, sources({ OS_CLIENT_CONFIG_FILE: override })).file, override);
});

test('secure.yaml is merged over clouds.yaml; keys with dashes read as underscores; tenant means project', async (t) => {
  const { cwd, sources } = await sandbox(t);
  await writeFile(join(cwd, 'clouds.yaml'), `clouds:
  ci:
    auth:
      auth-url: https://keystone.example.com
      username: zuul
      tenant-name: legacy
      domain_name: Example
    region_name: RegionOne
    interface: internalURL
    compute_endpoint_override: https://nova.example.com/v2.1
    image-format: raw
    private: true
    api_timeout: 30
`);
  await writeFile(join(cwd, 'secure.yaml'), 'clouds:\n  ci:\n    auth:\n      password: from-secure\n');
  const config = loadCloudConfig('ci', null, sources());
  t.like(config, {
    name: 'ci',
    regionName: 'RegionOne',
    authType: 'password',
    interface: 'internal',
    imageFormat: 'raw',
    private: true,
    apiTimeoutMs: 30_000,
    floatingIpSource: 'neutron',
    endpointOverrides: { compute: 'https://nova.example.com/v2.1' },
  });
  t.like(config.auth, { authUrl: 'https://keystone.example.com', username: 'zuul', password: 'from-secure', projectName: 'legacy', userDomainName: 'Example', projectDomainName: 'Example' });
});

test('region-name picks one of the cloud\'s regions and its values; the first is the default; an unknown one is refused', async (t) => {
  const { cwd, sources } = await sandbox(t);
  await writeFile(join(cwd, 'clouds.yaml'), cloud('multi', `    regions:
      - name: east
        values:
          interface: internal
      - west
`));
  t.like(loadCloudConfig('multi', 'east', sources()), { regionName: 'east', interface: 'internal' });
  t.like(loadCloudConfig('multi', 'west', sources()), { regionName: 'west', interface: 'public' });
  t.is(loadCloudConfig('multi', null, sources()).regionName, 'east');
  t.throws(() => loadCloudConfig('multi', 'north', sources()), { message: /region north is not a region of cloud multi \(its regions: east, west\)/ });
  await writeFile(join(cwd, 'clouds.yaml'), cloud('listed', '    region_name: one,two\n'));
  t.is(loadCloudConfig('listed', 'two', sources()).regionName, 'two');
});

test('application credentials, by ID or by name with the user', async (t) => {
  const { cwd, sources } = await sandbox(t);
  await writeFile(join(cwd, 'clouds.yaml'), `clouds:
  byid:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com/v3
      application_credential_id: abc
      application_credential_secret: s3cret
  byname:
    auth_type: v3applicationcredential
    auth:
      auth_url: https://keystone.example.com/v3
      application_credential_name: nodepool
      application_credential_secret: s3cret
      username: zuul
      user_domain_id: default
  token:
    auth_type: token
    auth:
      auth_url: https://keystone.example.com/v3
      token: abc
`);
  t.like(loadCloudConfig('byid', null, sources()), { authType: 'application-credential', auth: { applicationCredentialId: 'abc', applicationCredentialSecret: 's3cret' } });
  t.like(loadCloudConfig('byname', null, sources()), { authType: 'application-credential', auth: { applicationCredentialName: 'nodepool', username: 'zuul', userDomainId: 'default' } });
  t.throws(() => loadCloudConfig('token', null, sources()), { message: /auth_type token is not supported/ });
});

test('what cannot work is said plainly: no clouds.yaml, no auth_url, Keystone v2, a vendor profile, broken YAML', async (t) => {
  const { cwd, sources } = await sandbox(t);
  t.throws(() => loadCloudConfig('ci', null, sources()), { instanceOf: CloudConfigError, message: /no clouds\.yaml found/ });
  await writeFile(join(cwd, 'clouds.yaml'), 'clouds:\n  a:\n    auth: {username: x}\n  b:\n    identity_api_version: 2\n    auth: {auth_url: https://k}\n  c:\n    profile: vexxhost\n    auth: {auth_url: https://k}\n');
  t.throws(() => loadCloudConfig('a', null, sources()), { message: /cloud a in .* has no auth\.auth_url/ });
  t.throws(() => loadCloudConfig('b', null, sources()), { message: /identity_api_version 2 is not supported/ });
  t.throws(() => loadCloudConfig('c', null, sources()), { message: /vendor profile \(vexxhost\)/ });
  await writeFile(join(cwd, 'clouds.yaml'), 'clouds: [\n');
  t.throws(() => loadCloudConfig('a', null, sources()), { message: /clouds\.yaml:\d+ is not valid YAML/ });
});

test('floating IPs can be turned off, and IPv6 with force_ipv4 or the client section', async (t) => {
  const { cwd, sources } = await sandbox(t);
  await writeFile(join(cwd, 'clouds.yaml'), `client:
  force_ipv4: true
${cloud('ci', '    floating_ip_source: None\n')}`);
  t.like(loadCloudConfig('ci', null, sources()), { floatingIpSource: null, forceIpv4: true });
});
