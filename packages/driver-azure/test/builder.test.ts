/**
 * nodepool-builder and the launcher with the azure driver: a built VHD (from a stand-in
 * disk-image-create) is uploaded through a disk's page blob into an image carrying Nodepool's
 * metadata and the diskimage's tags; the disk is deleted, and a diskimage label boots the image.
 */
import test from 'ava';
import { chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, DriverRegistry } from '@nodepool/core';
import { launcherCluster } from '@nodepool/core/testing';
import azureDriver, { AzureAdapter } from '@nodepool/driver-azure';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { adapterContext, azureConfig, azureYaml, useFakeAzure } from './helpers.js';

const zk = useZooKeeper(test);
const DIB = fileURLToPath(new URL('./fixtures/fake-disk-image-create', import.meta.url));
const IMAGE = 'Microsoft.Compute/images';
const DISK = 'Microsoft.Compute/disks';

/** `azureYaml` with a diskimage `base` (tags `team: ci`) uploaded to the provider and a label booting it. */
function withDiskimage(yaml: string, imagesDir: string, logDir: string): string {
  return yaml
    .replace('labels:\n', `images-dir: ${imagesDir}\nbuild-log-dir: ${logDir}\ndiskimages:\n  - name: base\n    dib-cmd: ${DIB}\n    elements: [debian-minimal]\n    username: ci\nlabels:\n  - name: from-diskimage\n`)
    .replace('    cloud-images:\n', '    diskimages:\n      - name: base\n        key: ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests zuul@example.org\n        tags:\n          team: ci\n    cloud-images:\n')
    .replace('        labels:\n', '        labels:\n          - name: from-diskimage\n            diskimage: base\n            hardware-profile:\n              vm-size: Standard_B1s\n');
}

test('a built VHD goes through a disk’s page blob into a tagged image; the disk is deleted and a diskimage label boots the image', async (t) => {
  const fake = await useFakeAzure(t);
  const c = await launcherCluster(t, zk(), [azureDriver]);
  const imagesDir = join(c.dir, 'images');
  await mkdir(imagesDir);
  const body = withDiskimage(azureYaml(fake), imagesDir, join(c.dir, 'logs'));
  const file = join(c.dir, 'builder.yaml');
  await writeFile(file, c.configText(body));
  const builder = new Builder({ configFile: file, drivers: DriverRegistry.of(azureDriver), hostname: 'nb-test', timings: { buildIntervalMs: 100, uploadIntervalMs: 100, cleanupIntervalMs: 200 }, env: { PATH: process.env.PATH } });
  t.teardown(() => builder.stop());
  await builder.start();

  const image = await waitFor(() => fake.resources(IMAGE).find((each) => String(each.name).startsWith('base-') && each.properties.provisioningState === 'Succeeded'), { timeoutMs: 60_000, message: 'no upload became an image' });
  t.like(image, { location: 'eastus', tags: { team: 'ci', nodepool_provider_name: 'azure' }, properties: { hyperVGeneration: 'V2', storageProfile: { osDisk: { osType: 'Linux', osState: 'Generalized' }, zoneResilient: true } } });
  t.regex(String(image.tags.nodepool_upload_id), /^\d{10}$/);
  await waitFor(() => fake.resources(DISK).length === 0, { timeoutMs: 20_000, message: 'the upload disk was not deleted' });
  t.like(fake.calls(), { 'disks.grantAccess': 1, 'disks.revokeAccess': 1 });
  // The VHD is 20 MiB of zeros but for its first 4 KiB and its footer: two pages are sent, not six.
  t.is(fake.calls()['blob.putPage'], 2);

  await c.launcher(body);
  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['from-diskimage']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const vm = fake.resources('Microsoft.Compute/virtualMachines').find((each) => each.name === node!.record.external_id)!;
  t.deepEqual(vm.properties.storageProfile.imageReference, { id: image.id });
  t.like(vm.properties.osProfile, { adminUsername: 'ci' });
  t.like(node!.record, { username: 'ci' });
});

test('an upload writes the file’s data to the disk; a failed one deletes its disk', async (t) => {
  const fake = await useFakeAzure(t);
  const config = await azureConfig(azureYaml(fake));
  const adapter = new AzureAdapter(config, adapterContext(), { lroPollMs: 10 });
  const dir = await mkdtemp(join(tmpdir(), 'azure-upload-'));
  const filename = join(dir, 'image.vhd');
  const data = Buffer.alloc(20 * 1024 * 1024 + 512);
  for (let offset = 0; offset < data.length; offset += 3 * 1024 * 1024) data[offset] = 7;
  await writeFile(filename, data);
  fake.injectFault({ operation: 'images.createOrUpdate', status: 500, first: 1 });
  const metadata = { nodepool_build_id: 'b1', nodepool_upload_id: '0000000001', nodepool_provider_name: 'azure' };
  const failed = await t.throwsAsync(adapter.uploadImage({ providerImage: { name: 'base' }, imageName: 'base-1', filename, imageFormat: 'vhd', metadata }));
  t.regex(failed!.message, /images.createOrUpdate/);
  t.deepEqual(fake.resources(DISK), [], 'the failed upload’s disk was deleted');
  t.deepEqual(fake.resources(IMAGE), []);

  const name = await adapter.uploadImage({ providerImage: { name: 'base' }, imageName: 'base-2', filename, imageFormat: 'vhd', metadata });
  t.is(name, 'base-2');
  t.like(fake.resources(IMAGE)[0], { name: 'base-2', tags: metadata });
  const blobs = fake.blobContents();
  t.is(blobs.length, 2);
  for (const blob of blobs) t.true(blob.content.equals(data), 'the blob holds the file, byte for byte');
  t.deepEqual(fake.resources(DISK), []);
});

test('post-upload-hook runs with the provider, the image’s name and the file; an upload whose hook fails is deleted and made again', async (t) => {
  const fake = await useFakeAzure(t);
  const c = await launcherCluster(t, zk(), [azureDriver]);
  const imagesDir = join(c.dir, 'images');
  await mkdir(imagesDir);
  // Records its arguments; fails while the flag file exists.
  const hook = join(c.dir, 'hook.sh');
  const calls = join(c.dir, 'hook-calls');
  const failFlag = join(c.dir, 'hook-fails');
  await writeFile(hook, `#!/bin/sh\necho "$@" >> ${calls}\n[ -e ${failFlag} ] && { echo refused >&2; exit 1; }\nexit 0\n`);
  await chmod(hook, 0o755);
  await writeFile(failFlag, '');
  const body = withDiskimage(azureYaml(fake, { extra: `    post-upload-hook: ${hook}\n` }), imagesDir, join(c.dir, 'logs'));
  const file = join(c.dir, 'builder.yaml');
  await writeFile(file, c.configText(body));
  const builder = new Builder({ configFile: file, drivers: DriverRegistry.of(azureDriver), hostname: 'nb-test', timings: { buildIntervalMs: 100, uploadIntervalMs: 100, cleanupIntervalMs: 200 }, env: { PATH: process.env.PATH } });
  t.teardown(() => builder.stop());
  await builder.start();

  const lines = async () => (await readFile(calls, 'utf8').catch(() => '')).split('\n').filter(Boolean);
  await waitFor(async () => (await lines()).length >= 1, { timeoutMs: 60_000, message: 'the hook did not run' });
  const [provider, refused, vhd] = (await lines())[0]!.split(' ');
  t.is(provider, 'azure');
  t.regex(refused!, /^base-\d+$/);
  t.true(vhd!.startsWith(imagesDir) && vhd!.endsWith('.vhd'), vhd);
  await waitFor(() => !fake.resources(IMAGE).some((each) => each.name === refused), { timeoutMs: 30_000, message: 'the image whose hook failed stayed' });

  await rm(failFlag);
  const kept = await waitFor(
    async () => {
      const last = (await lines()).at(-1)!.split(' ')[1];
      return last !== refused && fake.resources(IMAGE).find((each) => each.name === last && each.properties.provisioningState === 'Succeeded');
    },
    { timeoutMs: 60_000, message: 'no upload passed the hook' },
  );
  t.like(kept, { tags: { team: 'ci', nodepool_provider_name: 'azure' } });
  t.false(fake.resources(IMAGE).some((each) => each.name === refused));
});
