/**
 * nodepool-builder and the launcher with the ibmvpc driver: a built image (from a stand-in
 * disk-image-create) is staged in Cloud Object Storage, imported as a VPC image in the provider's
 * images resource group, the staged file deleted; a diskimage label boots the image.
 */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, DriverRegistry } from '@nodepool/core';
import { launcherCluster } from '@nodepool/core/testing';
import ibmVpcDriver from '@nodepool/driver-ibmvpc';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { ibmvpcYaml, useFakeIbmVpc } from './helpers.js';

const zk = useZooKeeper(test);
const DIB = fileURLToPath(new URL('./fixtures/fake-disk-image-create', import.meta.url));

/** `ibmvpcYaml` with the top-level diskimage `base` built by the stand-in disk-image-create. */
function withBuild(yaml: string, imagesDir: string, logDir: string): string {
  const plain = 'diskimages:\n  - name: base\n';
  if (!yaml.includes(plain)) throw new Error('ibmvpcYaml no longer declares diskimage base');
  return yaml.replace(plain, `images-dir: ${imagesDir}\nbuild-log-dir: ${logDir}\ndiskimages:\n  - name: base\n    dib-cmd: ${DIB}\n    elements: [debian-minimal]\n    username: debian\n`);
}

test('a built image goes through Cloud Object Storage into a VPC image; a diskimage label boots it', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const c = await launcherCluster(t, zk(), [ibmVpcDriver]);
  const imagesDir = join(c.dir, 'images');
  await mkdir(imagesDir);
  const body = withBuild(ibmvpcYaml(fake), imagesDir, join(c.dir, 'logs'));
  const file = join(c.dir, 'builder.yaml');
  await writeFile(file, c.configText(body));
  const builder = new Builder({ configFile: file, drivers: DriverRegistry.of(ibmVpcDriver), hostname: 'nb-test', timings: { buildIntervalMs: 100, uploadIntervalMs: 100, cleanupIntervalMs: 200 }, env: { PATH: process.env.PATH } });
  t.teardown(() => builder.stop());
  await builder.start();

  const image = await waitFor(() => fake.state().images.find((each) => each.visibility === 'private' && each.status === 'available'), { timeoutMs: 60_000, message: 'no upload became an image' });
  t.like(image, { operatingSystem: 'debian-12-amd64' });
  t.regex(image.name, /^npimage\d{10}$/, 'named after the upload, as leak cleanup reads it back');
  t.regex(image.fileHref ?? '', new RegExp(`^cos://us-south/nodepool-images/${image.name}\\.qcow2$`), 'imported from the staged qcow2');
  t.is(fake.state().resourceGroups.find((group) => group.id === image.resourceGroupId)!.name, 'npimages_ibmvpc');
  await waitFor(() => fake.state().buckets[0]!.objects.length === 0, { timeoutMs: 20_000, message: 'the staged file was not deleted' });
  t.like(fake.calls(), { 'cos.PUT.object': 1, 'cos.DELETE.object': 1, 'vpc.POST.images': 1 });

  await c.launcher(body);
  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['custom']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const vm = fake.state().instances.find((each) => each.name === node!.record.external_id)!;
  t.is(vm.imageId, image.id);
  t.is(node!.record.username, 'debian');
  t.regex(String(node!.record.image_id), /^\/nodepool\/images\/base\/builds\/\w+\/providers\/ibmvpc\/images\/\d{10}$/, 'the upload, as 9.0.0 records it');
});
