/**
 * `nodepool-builder` as operators run it: a process of its own, real ZooKeeper, the stand-in
 * disk-image-create, and the simulated cloud and the fake AWS as upload targets through their
 * HTTP APIs; a launcher and a Zuul-like client boot nodes from what it uploads.
 */
import test from 'ava';
import { access, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { builderMain } from '@nodepool/cli';
import { CachedStatusSource, dashboardStatus, DriverRegistry, Launcher } from '@nodepool/core';
import { fastTimings } from '@nodepool/core/testing';
import awsDriver from '@nodepool/driver-aws';
import { startFakeAws } from '@nodepool/driver-aws/testing';
import simDriver from '@nodepool/driver-sim';
import { startSimCloud, type SimCloudHandle } from '@nodepool/driver-sim/cloud';
import { useZooKeeper, waitFor, ZuulClient } from '@nodepool/testkit';
import { builds, diskimage, harness, uploads } from './builder/builder-harness.js';
import { nodepool } from './helpers.js';

const zk = useZooKeeper(test);
const WAIT = { timeoutMs: 90_000 };

async function simCloud(t: { teardown(fn: () => unknown): void }): Promise<SimCloudHandle> {
  const cloud = await startSimCloud();
  t.teardown(() => cloud.stop());
  return cloud;
}

const simProvider = (endpoint: string) => `providers:
  - name: sim
    driver: sim
    endpoint: ${endpoint}
    image-format: raw
    diskimages:
      - name: debian
    pools:
      - name: main
        max-servers: 4
        labels:
          - name: sim-debian
            flavor: small
            diskimage: debian
            host-key-checking: false
`;

test('builds, uploads to the sim cloud, a launcher boots the diskimage label from it; image-build rebuilds, and the oldest upload goes once the newest is ready', async (t) => {
  const h = await harness(t, zk());
  const cloud = await simCloud(t);
  await h.writeConfig(`labels:\n  - name: sim-debian\ndiskimages:\n${diskimage('debian', '    username: zuul-worker\n')}${simProvider(cloud.url)}`);
  const builder = h.spawnBuilder();
  const store = await h.zk();
  const readyUploads = async () => (await uploads(store, 'debian', 'sim')).filter((upload) => upload.state === 'ready');

  const [first] = await waitFor(async () => ((await readyUploads()).length === 1 ? readyUploads() : undefined), WAIT).catch((error: Error) => {
    throw new Error(`${error.message}\n${builder.stderr()}`);
  });
  const image = cloud.images().find((candidate) => candidate.id === first!.externalId);
  t.like(image, { status: 'active', format: 'raw', name: first!.externalName! });
  t.is(image!.metadata.nodepool_upload_id, first!.id);
  t.is(image!.metadata.nodepool_build_id, first!.buildId);

  // Listings show the build and the upload.
  const dib = await nodepool('-c', h.configFile, 'dib-image-list');
  t.is(dib.code, 0);
  t.regex(dib.out.join('\n'), new RegExp(`debian-${first!.buildId}.*ready`));
  const list = await nodepool('-c', h.configFile, 'image-list');
  t.regex(list.out.join('\n'), new RegExp(`${first!.buildId}.*${first!.id}.*sim.*debian.*${first!.externalId}.*ready`));

  // A launcher boots the label from the upload, and Zuul gets the node.
  const launcher = new Launcher({ configFile: h.configFile, drivers: DriverRegistry.of(simDriver), hostname: 'nl-test', timings: fastTimings, env: {} });
  t.teardown(() => launcher.stop());
  await launcher.start();
  const zuul = new ZuulClient(store.client);
  /** Runs a job on the label: what its node booted from, as ZooKeeper and the cloud say. */
  const boot = async (): Promise<{ state: string; username?: string | null; imageId?: string | null; cloudImage?: string | null }> => {
    const request = await zuul.requestNodes(['sim-debian']);
    const { state } = await zuul.waitForRequest(request, { timeoutMs: 60_000 });
    if (state !== 'fulfilled') return { state };
    const nodes = await zuul.acceptNodes(request);
    const node = (await store.getNode(nodes.nodeIds[0]!))!;
    const instance = cloud.instances().find((candidate) => candidate.id === node.externalId);
    await zuul.useNodes(nodes, { projectName: 'example.org/app' });
    await zuul.returnNodes(nodes);
    return { state, username: node.username, imageId: node.imageId, cloudImage: instance?.imageId ?? null };
  };
  t.deepEqual(await boot(), { state: 'fulfilled', username: 'zuul-worker', imageId: first!.path, cloudImage: first!.externalId });

  // nodepool image-build: a second build and upload; the launcher boots the newest.
  t.is((await nodepool('-c', h.configFile, 'image-build', 'debian')).code, 0);
  await waitFor(async () => (await readyUploads()).length === 2, WAIT);
  const second = (await readyUploads())[1]!;
  const fromSecond = await waitFor(async () => {
    const booted = await boot();
    return booted.cloudImage === second.externalId ? booted : undefined;
  }, WAIT);
  t.deepEqual(fromSecond, { state: 'fulfilled', username: 'zuul-worker', imageId: second.path, cloudImage: second.externalId });
  t.true(cloud.images().some((candidate) => candidate.id === first!.externalId), 'the previous upload is kept');

  // A third: once it is ready, the first goes from the cloud, ZooKeeper and the disk.
  t.is((await nodepool('-c', h.configFile, 'image-build', 'debian')).code, 0);
  await waitFor(() => !cloud.images().some((candidate) => candidate.id === first!.externalId), WAIT);
  const left = await readyUploads();
  t.is(left.length, 2);
  t.false(left.some((upload) => upload.buildId === first!.buildId), 'the first upload record is gone');
  t.true(left.some((upload) => upload.buildId === second.buildId));
  await waitFor(async () => !(await builds(store, 'debian')).some((build) => build.id === first!.buildId), WAIT);
  await waitFor(async () => !(await readdir(h.imagesDir)).some((name) => name.includes(first!.buildId)), WAIT);

  builder.child.kill('SIGTERM');
  t.is(await builder.exited, 0);
});

test('uploads to AWS (the fake) as an AMI carrying Nodepool\'s tags', async (t) => {
  const h = await harness(t, zk());
  const fake = await startFakeAws({ buckets: ['nodepool-images'] });
  t.teardown(() => fake.stop());
  await h.writeConfig(`labels:\n  - name: aws-debian\ndiskimages:\n${diskimage('debian')}providers:
  - name: ec2
    driver: aws
    region-name: ${fake.region}
    endpoint-url: ${fake.url}
    object-storage:
      bucket-name: nodepool-images
    diskimages:
      - name: debian
        tags:
          team: ci
    pools:
      - name: main
        max-servers: 2
        subnet-id: subnet-00000000000000001
        labels:
          - name: aws-debian
            diskimage: debian
            instance-type: t3.medium
            key-name: zuul
`);
  process.env.AWS_ACCESS_KEY_ID ??= 'fake';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'fake';
  const builder = h.spawnBuilder(['--upload-workers', '1']);
  const store = await h.zk();
  const upload = await waitFor(async () => (await uploads(store, 'debian', 'ec2')).find((candidate) => candidate.state === 'ready'), WAIT).catch((error: Error) => {
    throw new Error(`${error.message}\n${builder.stderr()}`);
  });
  t.is(upload.format, 'raw', 'the AWS default image-format');
  const ami = fake.state().images.find((image) => image.imageId === upload.externalId);
  t.truthy(ami);
  t.like(ami!.tags, { nodepool_build_id: upload.buildId, nodepool_upload_id: upload.id, nodepool_provider_name: 'ec2', team: 'ci' });
  t.is(ami!.name, upload.externalName!);
  void awsDriver;
});

test('a builder SIGKILLed mid-build leaves nothing that blocks the next one', async (t) => {
  const h = await harness(t, zk());
  const cloud = await simCloud(t);
  const hold = h.hold('build');
  await h.writeConfig(`labels:\n  - name: sim-debian\ndiskimages:\n${diskimage('debian', `    env-vars:\n      FAKE_DIB_HOLD: ${hold.path}\n`)}${simProvider(cloud.url)}`);
  const doomed = h.spawnBuilder();
  await waitFor(() => hold.started(), WAIT);
  const store = await h.zk();
  const [stuck] = await builds(store, 'debian');
  t.is(stuck!.state, 'building');
  doomed.child.kill('SIGKILL');
  await doomed.exited;

  await hold.release();
  const next = h.spawnBuilder();
  const upload = await waitFor(async () => (await uploads(store, 'debian', 'sim')).find((candidate) => candidate.state === 'ready'), WAIT).catch((error: Error) => {
    throw new Error(`${error.message}\n${next.stderr()}`);
  });
  t.not(upload.buildId, stuck!.id);
  // The dead builder's record goes once its session (and so its build lock) has expired.
  await waitFor(async () => !(await store.getBuild('debian', stuck!.id)), WAIT);
  await waitFor(async () => !(await readdir(h.imagesDir)).some((name) => name.includes(stuck!.id)), WAIT);
  t.is((await builds(store, 'debian')).filter((build) => build.state === 'ready').length, 1);
});

test('a builder SIGKILLed mid-upload leaves nothing that blocks the next one', async (t) => {
  const h = await harness(t, zk());
  const cloud = await simCloud(t);
  cloud.configure({ holdUploads: true });
  await h.writeConfig(`labels:\n  - name: sim-debian\ndiskimages:\n${diskimage('debian')}${simProvider(cloud.url)}`);
  const doomed = h.spawnBuilder();
  const store = await h.zk();
  const saving = await waitFor(() => cloud.images().find((image) => image.status === 'saving'), WAIT).catch((error: Error) => {
    throw new Error(`${error.message}\n${doomed.stderr()}`);
  });
  const [stuck] = await uploads(store, 'debian', 'sim');
  t.is(stuck!.state, 'uploading');
  // The listings and the dashboard show the upload as it moves.
  t.regex((await nodepool('-c', h.configFile, 'image-list')).out.join('\n'), new RegExp(`${stuck!.buildId}.*${stuck!.id}.*sim.*debian.*uploading`));
  t.regex((await nodepool('-c', h.configFile, 'dib-image-list')).out.join('\n'), new RegExp(`debian-${stuck!.buildId}.*ready`));
  const source = await CachedStatusSource.of(store);
  t.teardown(() => store.stop());
  const dashboard = async () => dashboardStatus(source);
  t.is((await dashboard()).uploads[`debian/${stuck!.buildId}/sim/${stuck!.id}`]?.state, 'uploading');
  doomed.child.kill('SIGKILL');
  await doomed.exited;
  // The cut connection puts the image back to queued; uploads flow again for the next builder.
  cloud.configure({ holdUploads: false });

  const next = h.spawnBuilder();
  const upload = await waitFor(async () => (await uploads(store, 'debian', 'sim')).find((candidate) => candidate.state === 'ready'), WAIT).catch((error: Error) => {
    throw new Error(`${error.message}\n${next.stderr()}`);
  });
  t.is(upload.buildId, stuck!.buildId, 'the same build is uploaded again');
  await waitFor(async () => (await dashboard()).uploads[`debian/${upload.buildId}/sim/${upload.id}`]?.state === 'ready', WAIT);
  t.not(upload.id, stuck!.id);
  t.not(upload.externalId, saving.id);
  await waitFor(async () => !(await store.getUpload('debian', stuck!.buildId, 'sim', stuck!.id)), WAIT);
  t.deepEqual((await uploads(store, 'debian', 'sim')).map((candidate) => candidate.state), ['ready']);
  // The half-uploaded image is left for the launcher's leak cleanup (its upload ID is unknown now).
  t.is(cloud.images().find((image) => image.id === saving.id)?.metadata.nodepool_upload_id, stuck!.id);
});

test('nodepool-builder registers a builder component, writes its pid file, and SIGTERM stops it cleanly', async (t) => {
  const h = await harness(t, zk());
  await h.writeConfig('diskimages: []\n');
  const pidfile = join(h.dir, 'builder.pid');
  const builder = h.spawnBuilder(['-p', pidfile, '--build-workers', '2', '--upload-workers', '1']);
  const store = await h.zk();
  const components = async () => (await store.client.getChildren('/nodepool/components/builder').catch(() => ({ children: [] as string[] }))).children;
  const [name] = await waitFor(async () => ((await components()).length === 1 ? components() : undefined), WAIT).catch((error: Error) => {
    throw new Error(`${error.message}\n${builder.stderr()}`);
  });
  const record = JSON.parse((await store.client.getData(`/nodepool/components/builder/${name}`)).data.toString()) as Record<string, unknown>;
  t.like(record, { kind: 'builder', model_api: 0, state: 'running' });
  await waitFor(() => access(pidfile).then(() => true), WAIT);
  t.truthy(await readdir(h.imagesDir).then((names) => names.includes('builder_id.txt')));
  builder.child.kill('SIGTERM');
  t.is(await builder.exited, 0);
  t.deepEqual(await components(), []);
  await t.throwsAsync(access(pidfile));
});

test('nodepool-builder refuses a configuration without images-dir, and prints its version', async (t) => {
  const h = await harness(t, zk());
  await h.writeConfig('');
  const { writeFile } = await import('node:fs/promises');
  await writeFile(h.configFile, `zookeeper-servers:\n  - host: ${zk().host}\n    port: ${zk().port}\n`);
  const refused = h.spawnBuilder();
  t.is(await refused.exited, 1);
  t.regex(refused.stderr(), /nodepool-builder: No images-dir specified in config\./);
  const out: string[] = [];
  t.is(await builderMain(['--version'], { out: (line) => out.push(line), err: () => undefined }), 0);
  t.regex(out.join('\n'), /^Nodepool version: \d+\.\d+\.\d+$/);
});
