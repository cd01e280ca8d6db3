/**
 * The fake is faithful, not just agreeable to our client: Debian's unmodified openstacksdk (the
 * library the original Nodepool drives OpenStack with) authenticates against it, lists flavors
 * and images, creates a server and waits for it, attaches a floating IP, deletes both, boots from
 * a volume, uploads an image and runs Nodepool's cleanups, making the calls Nodepool 9.0.0 makes.
 */
import test from 'ava';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { startFakeOpenStack, type FakeOpenStackHandle } from '@nodepool/driver-openstack/testing';

// Debian's python3-openstacksdk belongs to the system Python, not to a python3 first on PATH.
const PYTHON = '/usr/bin/python3';
const SCRIPT = fileURLToPath(new URL('../fixtures/openstacksdk-session.py', import.meta.url));

async function runSdk(fake: FakeOpenStackHandle, auth: 'password' | 'application-credential'): Promise<Record<string, unknown>> {
  const dir = await mkdtemp(join(tmpdir(), 'openstacksdk-'));
  try {
    const clouds = join(dir, 'clouds.yaml');
    await writeFile(clouds, fake.cloudsYaml('fake', { auth }));
    // HOME elsewhere: the SDK's caches and any ~/.config/openstack stay out of it.
    const { stdout } = await promisify(execFile)(PYTHON, [SCRIPT, 'fake'], {
      env: { PATH: '/usr/bin:/bin', HOME: dir, OS_CLIENT_CONFIG_FILE: clouds },
      timeout: 100_000,
      maxBuffer: 16 * 1024 * 1024,
    });
    return JSON.parse(stdout.trim().split('\n').at(-1)!) as Record<string, unknown>;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

const sdkInstalled = existsSync(PYTHON) && existsSync('/usr/lib/python3/dist-packages/openstack/__init__.py');

test('python3-openstacksdk is installed (scripts/ensure-tools.sh installs it)', (t) => {
  t.true(sdkInstalled, 'install it with: apt-get install -y python3-openstacksdk');
});

test('openstacksdk runs Nodepool 9.0.0\'s calls against the fake, unmodified', async (t) => {
  if (!sdkInstalled) return t.fail('python3-openstacksdk is missing');
  const fake = await startFakeOpenStack();
  t.teardown(() => fake.stop());
  const seen = await runSdk(fake, 'password');
  t.like(seen, {
    project_id: fake.state().projectId,
    compute_endpoint: `${fake.url}/compute/v2.1`,
    block_storage_endpoint: `${fake.url}/volume/v3/${fake.state().projectId}`,
    zones: ['nova'],
    max_total_instances: 100,
    max_total_volumes: 100,
    server_metadata: { groups: 'fake,cirros,small', nodepool_node_id: '0000000001' },
    floating_ips_left: 0,
    boot_volume_sizes: [5],
    boot_volume_attached: true,
    volumes_left: 0,
    upload_properties: { nodepool_build_id: '0000000001', nodepool_upload_id: '0000000001', nodepool_provider_name: 'fake' },
    down_ports: 0,
  });
  t.true((seen.flavors as string[]).includes('m1.small'));
  t.deepEqual(seen.images, ['cirros-0.6.2-x86_64-disk', 'debian-12']);
  t.regex(String(seen.private_v4), /^10\.0\./);
  t.is(seen.public_v4, seen.floating_ip, 'openstacksdk sees the floating IP as the public address');
  t.is(seen.interface_ip, seen.floating_ip);
  t.regex(String(seen.console), /fake login:/);
  // The SDK's calls were answered, none refused for being malformed.
  const calls = fake.calls();
  t.true((calls['compute.POST.servers'] ?? 0) >= 2);
  t.is(calls['network.POST.floatingips'], 1);
  t.is(calls['image.PUT.image_file'], 1);
  t.deepEqual(
    Object.keys(calls).filter((name) => name.endsWith('.failed') && !['network.GET.network.failed', 'compute.GET.server.failed', 'image.GET.image.failed'].includes(name)),
    [],
    `unexpected refusals: ${JSON.stringify(calls)}`,
  );
  t.is(fake.state().servers.length, 0);
});

test('openstacksdk authenticates with an application credential', async (t) => {
  if (!sdkInstalled) return t.fail('python3-openstacksdk is missing');
  const fake = await startFakeOpenStack();
  t.teardown(() => fake.stop());
  const seen = await runSdk(fake, 'application-credential');
  t.is(seen.project_id, fake.state().projectId);
  t.is(fake.calls()['identity.POST.tokens'], 1);
});
