/**
 * nodepool-builder and the launcher with the openstack driver: an image built (by a stand-in
 * disk-image-create) is uploaded to Glance with its metadata, and a diskimage label boots it.
 */
import test from 'ava';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Builder, DriverRegistry } from '@nodepool/core';
import { launcherCluster } from '@nodepool/core/testing';
import drivers from '@nodepool/driver-openstack';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { openstackYaml, useFakeOpenStack } from './helpers.js';

const zk = useZooKeeper(test);
const DIB = fileURLToPath(new URL('./fixtures/fake-disk-image-create', import.meta.url));

test('a built image is uploaded to Glance with Nodepool\'s metadata and the diskimage\'s meta, and a diskimage label boots it', async (t) => {
  const fake = await useFakeOpenStack(t);
  const c = await launcherCluster(t, zk(), drivers);
  const imagesDir = join(c.dir, 'images');
  const logDir = join(c.dir, 'logs');
  await mkdir(imagesDir);
  const body = openstackYaml(fake).replace('diskimages:\n  - name: base\n', `images-dir: ${imagesDir}\nbuild-log-dir: ${logDir}\ndiskimages:\n  - name: base\n    dib-cmd: ${DIB}\n    elements: [debian-minimal]\n    release: bookworm\n    username: ci\n`);
  const file = join(c.dir, 'builder.yaml');
  await writeFile(file, c.configText(body));
  const builder = new Builder({ configFile: file, drivers: DriverRegistry.of(...drivers), hostname: 'nb-test', timings: { buildIntervalMs: 100, uploadIntervalMs: 100, cleanupIntervalMs: 200 }, env: { PATH: process.env.PATH } });
  t.teardown(() => builder.stop());
  await builder.start();

  const image = await waitFor(() => fake.state().images.find((each) => each.name.startsWith('base-') && each.status === 'active'), { timeoutMs: 60_000, message: 'no upload became active' });
  t.like(image, { visibility: 'private', diskFormat: 'qcow2', containerFormat: 'bare', size: 8192 });
  t.like(image.properties, { team: 'ci', nodepool_provider_name: 'openstack' });
  t.regex(String(image.properties.nodepool_build_id), /^[0-9a-f]{32}$/);
  t.regex(String(image.properties.nodepool_upload_id), /^\d{10}$/);

  await c.launcher(body);
  const zuul = new ZuulClient(await c.client());
  const request = await zuul.requestNodes(['diskimage']);
  t.is((await zuul.waitForRequest(request, { timeoutMs: 30_000 })).state, 'fulfilled');
  const [node] = (await zuul.acceptNodes(request)).nodes;
  const server = fake.state().servers.find((each) => each.id === node!.record.external_id)!;
  t.is(server.imageId, image.id, 'the server boots the upload');
  t.like(node!.record, { username: 'ci' });
  t.regex(String(node!.record.image_id), /^\/nodepool\/images\/base\/builds\/[0-9a-f]{32}\/providers\/openstack\/images\/\d{10}$/);
  t.is(server.metadata.groups, 'openstack,base,diskimage');
});
