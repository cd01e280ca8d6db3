import test from 'ava';
import { access, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { useZooKeeper, waitFor } from '@nodepool/testkit';
import type { ImageBuild, ImageUpload, NodepoolZooKeeper, Stats } from '@nodepool/core';
import { builderSandbox, diskimage } from './helpers.js';

const zk = useZooKeeper(test);
const WAIT = { timeoutMs: 60_000 };

const provider = (name: string, images: string, extra = '') => `  - name: ${name}\n    driver: imagecloud\n    diskimages:\n${images}${extra}`;

async function builds(store: NodepoolZooKeeper, image: string): Promise<ImageBuild[]> {
  const all = await Promise.all((await store.getBuildIds(image)).map((id) => store.getBuild(image, id)));
  return all.filter((build): build is ImageBuild => build !== undefined).sort((a, b) => a.stateTime - b.stateTime);
}

async function uploads(store: NodepoolZooKeeper, image: string, provider: string): Promise<ImageUpload[]> {
  const found: ImageUpload[] = [];
  for (const build of await store.getBuildIds(image)) {
    for (const id of await store.getUploadIds(image, build, provider)) {
      const upload = await store.getUpload(image, build, provider, id);
      if (upload) found.push(upload);
    }
  }
  return found.sort((a, b) => a.stateTime - b.stateTime);
}

function recordingStats(): Stats & { seen: string[] } {
  const seen: string[] = [];
  return {
    enabled: true,
    seen,
    increment: (name) => void seen.push(`c ${name}`),
    gauge: (name, value) => void seen.push(`g ${name} ${value}`),
    timing: (name) => void seen.push(`t ${name}`),
    close: async () => undefined,
  };
}

test('builds a diskimage with disk-image-create, records it and uploads it with its checksums', async (t) => {
  const box = await builderSandbox(t, zk());
  await box.writeConfig(`elements-dir: /opt/elements
diskimages:
${diskimage('debian', '    formats: [raw]\n    username: ci\n    env-vars:\n      FAKE_DIB_EXPECT_ELEMENTS: debian-minimal vm\n      FAKE_DIB_EXPECT_ELEMENTS_PATH: /opt/elements\n    metadata:\n      purpose: tests\n')}
providers:
${provider('cloud-a', '      - name: debian\n        meta:\n          tier: gold\n')}
`);
  const stats = recordingStats();
  await box.builder({ stats });
  const store = await box.zk();
  const [upload] = await waitFor(async () => {
    const found = (await uploads(store, 'debian', 'cloud-a')).filter((u) => u.state === 'ready');
    return found.length > 0 ? found : undefined;
  }, WAIT);
  const [build] = await builds(store, 'debian');
  t.like(build, { state: 'ready', builder: 'nb-test', username: 'ci', pythonPath: 'auto', shellType: null });
  t.deepEqual(build!.formats, ['qcow2', 'raw'], 'the diskimage formats plus the provider\'s');
  t.regex(build!.builderId!, /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  t.is(build!.builderId, await readFile(join(box.imagesDir, 'builder_id.txt'), 'utf8'));
  t.regex(build!.id, /^[0-9a-f]{32}$/);

  const files = (await readdir(box.imagesDir)).sort();
  const base = `debian-${build!.id}`;
  t.deepEqual(files, ['builder_id.txt', `${base}.d`, `${base}.qcow2`, `${base}.qcow2.md5`, `${base}.qcow2.sha256`, `${base}.raw`, `${base}.raw.md5`, `${base}.raw.sha256`]);
  const log = await readFile(join(box.logDir, `${base}.log`), 'utf8');
  t.regex(log, /fake-dib: formats=qcow2,raw elements=debian-minimal vm release=bookworm name=debian/);
  t.regex(log, /Exit code: 0\n$/);

  t.like(upload, { state: 'ready', format: 'qcow2', username: 'ci', pythonPath: 'auto' });
  const image = box.cloud.images.get(upload!.externalId!);
  t.truthy(image);
  t.is(upload!.externalName, image!.name);
  t.regex(image!.name, /^debian-\d{10}$/);
  t.deepEqual(image!.metadata, { purpose: 'tests', tier: 'gold', nodepool_build_id: build!.id, nodepool_upload_id: upload!.id, nodepool_provider_name: 'cloud-a' });
  t.is(image!.md5, (await readFile(join(box.imagesDir, `${base}.qcow2.md5`), 'utf8')).slice(0, 32));
  t.is(image!.sha256?.length, 64);
  t.is(image!.format, 'qcow2');

  t.true(stats.seen.some((line) => /^g nodepool\.dib_image_build\.debian\.qcow2\.size \d+$/.test(line)));
  t.true(stats.seen.includes('g nodepool.dib_image_build.debian.status.rc 0'));
  t.true(stats.seen.includes('t nodepool.dib_image_build.debian.status.duration'));
  t.true(stats.seen.some((line) => line.startsWith('g nodepool.dib_image_build.debian.status.last_build ')));
  await waitFor(() => stats.seen.includes('c nodepool.image_update.debian.cloud-a'), WAIT);
  t.true(stats.seen.includes('t nodepool.image_update.debian.cloud-a'));
});

test('rebuilds when rebuild-age has passed, keeps the current and previous builds and deletes older ones once the new upload is ready', async (t) => {
  const box = await builderSandbox(t, zk());
  await box.writeConfig(`diskimages:\n${diskimage('debian', '    rebuild-age: 3600\n')}providers:\n${provider('cloud-a', '      - name: debian\n')}`);
  let offset = 0;
  await box.builder({ now: () => Date.now() / 1000 + offset });
  const store = await box.zk();
  const readyUploads = async (count: number) => {
    const ready = (await uploads(store, 'debian', 'cloud-a')).filter((u) => u.state === 'ready');
    return ready.length === count ? ready : undefined;
  };
  const [first] = await waitFor(() => readyUploads(1), WAIT);
  t.is((await builds(store, 'debian')).length, 1, 'a fresh build is not rebuilt');

  offset += 3600;
  const two = await waitFor(() => readyUploads(2), WAIT);
  offset += 3600;
  await waitFor(async () => {
    const now = await builds(store, 'debian');
    return now.length === 2 && now.every((b) => b.state === 'ready') && !now.some((b) => b.id === first!.buildId);
  }, WAIT);
  const kept = await uploads(store, 'debian', 'cloud-a');
  t.is(kept.length, 2, 'the current and the previous upload stay');
  t.false(kept.some((u) => u.id === first!.id && u.buildId === first!.buildId));
  t.true(kept.some((u) => u.buildId === two[1]!.buildId), 'the previous upload is kept');
  t.true(box.cloud.deleted.includes(first!.externalId!), 'the oldest upload was deleted from the cloud');
  t.false(box.cloud.images.has(first!.externalId!));
  await waitFor(async () => !(await readdir(box.imagesDir)).some((name) => name.startsWith(`debian-${first!.buildId}`)), WAIT);
});

test('a paused image (in the configuration or by image-pause) is not built; image-build asks for a build of a fresh image', async (t) => {
  const box = await builderSandbox(t, zk());
  await box.writeConfig(`diskimages:\n${diskimage('paused', '    pause: true\n')}${diskimage('flagged')}${diskimage('fresh')}providers:\n${provider('cloud-a', '      - name: paused\n      - name: flagged\n      - name: fresh\n')}`);
  const store = await box.zk();
  await store.setImagePaused('flagged', true);
  const builder = await box.builder({ timings: { buildIntervalMs: 3_600_000, uploadIntervalMs: 100, cleanupIntervalMs: 200 } });
  const [worker] = builder.workers.build;
  await waitFor(async () => (await builds(store, 'fresh')).some((b) => b.state === 'ready'), WAIT);
  await worker!.pass();
  t.deepEqual(await builds(store, 'paused'), []);
  t.deepEqual(await builds(store, 'flagged'), []);
  t.is((await builds(store, 'fresh')).length, 1);

  await store.setBuildRequest('fresh', true);
  await store.setBuildRequest('flagged', true);
  await worker!.pass();
  t.is((await builds(store, 'fresh')).filter((b) => b.state === 'ready').length, 2, 'the manual request built it again');
  t.false(await store.hasBuildRequest('fresh'), 'a ready build removes the request');
  t.true(await store.hasBuildRequest('flagged'), 'a paused image keeps its request');
  t.deepEqual(await builds(store, 'flagged'), []);
  await store.setImagePaused('flagged', false);
  await worker!.pass();
  // As the original: the scheduled check builds the image that has no build, then the manual
  // request is served by a second build.
  t.is((await builds(store, 'flagged')).filter((b) => b.state === 'ready').length, 2);
  t.false(await store.hasBuildRequest('flagged'));
});

test('a failed build is recorded failed, its files removed and its log kept; a timed-out one too', async (t) => {
  const box = await builderSandbox(t, zk());
  const hold = box.hold('forever');
  await box.writeConfig(
    `diskimages:\n${diskimage('broken', '    env-vars:\n      FAKE_DIB_FAIL: "1"\n')}${diskimage('slow', `    build-timeout: 1\n    env-vars:\n      FAKE_DIB_HOLD: ${hold.path}\n`)}providers:\n${provider('cloud-a', '      - name: broken\n      - name: slow\n')}`,
  );
  const stats = recordingStats();
  await box.builder({ stats, timings: { buildIntervalMs: 3_600_000, uploadIntervalMs: 100, cleanupIntervalMs: 3_600_000 } });
  const store = await box.zk();
  const [broken] = await waitFor(async () => {
    const found = await builds(store, 'broken');
    return found.length === 1 && found[0]!.state === 'failed' ? found : undefined;
  }, WAIT);
  t.deepEqual(broken!.formats, []);
  t.false((await readdir(box.imagesDir)).some((name) => name.startsWith('broken-')), 'the partial file and manifest are gone');
  t.regex(await readFile(join(box.logDir, `broken-${broken!.id}.log`), 'utf8'), /failing as asked\nExit code: 1\n$/);
  t.true(stats.seen.includes('g nodepool.dib_image_build.broken.status.rc 1'));

  const [slow] = await waitFor(async () => {
    const found = await builds(store, 'slow');
    return found.length === 1 && found[0]!.state === 'failed' ? found : undefined;
  }, WAIT);
  t.true(await hold.started(), 'the build had started');
  t.notRegex(await readFile(join(box.logDir, `slow-${slow!.id}.log`), 'utf8'), /Exit code/, 'a timed-out build has no exit code in its log');
  t.true(stats.seen.includes('g nodepool.dib_image_build.slow.status.rc 1'));
  t.deepEqual(await uploads(store, 'broken', 'cloud-a'), []);
});

test('two builders sharing ZooKeeper never build an image twice', async (t) => {
  const box = await builderSandbox(t, zk());
  const hold = box.hold('shared');
  await box.writeConfig(`diskimages:\n${diskimage('debian', `    env-vars:\n      FAKE_DIB_HOLD: ${hold.path}\n`)}providers:\n${provider('cloud-a', '      - name: debian\n')}`);
  const slowTimings = { buildIntervalMs: 3_600_000, uploadIntervalMs: 100, cleanupIntervalMs: 3_600_000 };
  const first = await box.builder({ timings: slowTimings });
  const second = await box.builder({ timings: slowTimings, imagesDir: join(box.dir, 'images-2'), hostname: 'nb-other' });
  const store = await box.zk();
  // Both start a pass at once; one of them takes the image build lock and builds.
  await waitFor(() => hold.started(), WAIT);
  const [building] = await builds(store, 'debian');
  t.is(building!.state, 'building');
  const [builderOf, other] = building!.builder === 'nb-test' ? [first, second] : [second, first];
  await other.workers.build[0]!.pass();
  await builderOf.workers.build[0]!.pass();
  t.is((await builds(store, 'debian')).length, 1, 'the image build lock was held: nobody started another build');
  await hold.release();
  await waitFor(async () => (await builds(store, 'debian'))[0]?.state === 'ready', WAIT);
  await other.workers.build[0]!.pass();
  await builderOf.workers.build[0]!.pass();
  t.is((await builds(store, 'debian')).length, 1, 'nobody rebuilt the fresh build');
  await waitFor(async () => (await uploads(store, 'debian', 'cloud-a')).some((u) => u.state === 'ready'), WAIT);
  t.is((await uploads(store, 'debian', 'cloud-a')).length, 1);
  const otherDir = other === second ? join(box.dir, 'images-2') : box.imagesDir;
  t.deepEqual(await readdir(otherDir), ['builder_id.txt'], 'the other builder has no files of the build, so it cannot upload it');
});

test('cleanup honours image-delete and dib-image-delete, removes uploads of an image a provider dropped, and records left by a dead builder', async (t) => {
  const box = await builderSandbox(t, zk());
  await box.writeConfig(`diskimages:\n${diskimage('debian')}${diskimage('ubuntu')}providers:\n${provider('cloud-a', '      - name: debian\n      - name: ubuntu\n')}`);
  const builder = await box.builder();
  const store = await box.zk();
  const readyUpload = (image: string) => waitFor(async () => (await uploads(store, image, 'cloud-a')).find((u) => u.state === 'ready'), WAIT);
  const debian = await readyUpload('debian');
  const ubuntu = await readyUpload('ubuntu');

  // nodepool image-delete: the upload is marked deleting; the builder deletes it (and uploads anew).
  debian.setState('deleting');
  await store.storeUpload(debian);
  await waitFor(() => box.cloud.deleted.includes(debian.externalId!), WAIT);
  await waitFor(async () => !(await store.getUpload('debian', debian.buildId, 'cloud-a', debian.id)), WAIT);
  await readyUpload('debian');

  // A dead builder's leftovers: a `building` record and an `uploading` one, their locks free.
  const { ImageBuild, ImageUpload } = await import('@nodepool/core');
  const stuck = new ImageBuild();
  stuck.image = 'debian';
  stuck.builder = 'dead-builder';
  stuck.setState('building');
  await store.storeBuild(stuck);
  const dangling = new ImageUpload();
  Object.assign(dangling, { image: 'ubuntu', buildId: ubuntu.buildId, provider: 'cloud-a' });
  dangling.setState('uploading');
  await store.storeUpload(dangling);
  await waitFor(async () => !(await store.getBuild('debian', stuck.id)), WAIT);
  await waitFor(async () => !(await store.getUpload('ubuntu', ubuntu.buildId, 'cloud-a', dangling.id)), WAIT);

  // nodepool dib-image-delete: the whole build goes, cloud image included; a new one is built.
  const build = (await store.getBuild('ubuntu', ubuntu.buildId))!;
  build.setState('deleting');
  await store.storeBuild(build);
  await waitFor(async () => !(await store.getBuild('ubuntu', ubuntu.buildId)), WAIT);
  t.true(box.cloud.deleted.includes(ubuntu.externalId!));
  await waitFor(async () => !(await readdir(box.imagesDir)).some((name) => name.startsWith(`ubuntu-${ubuntu.buildId}`)), WAIT);

  // The provider drops ubuntu: its uploads go, its builds stay (the image is still configured).
  const current = await readyUpload('ubuntu');
  await box.writeConfig(`diskimages:\n${diskimage('debian')}${diskimage('ubuntu')}providers:\n${provider('cloud-a', '      - name: debian\n')}`);
  await waitFor(() => builder.config.providers.get('cloud-a')!.diskimages.length === 1, WAIT);
  await waitFor(() => box.cloud.deleted.includes(current.externalId!), WAIT);
  await waitFor(async () => (await uploads(store, 'ubuntu', 'cloud-a')).length === 0, WAIT);
  t.true((await builds(store, 'ubuntu')).some((b) => b.state === 'ready'));

  // The image leaves the configuration: its builds go too.
  await box.writeConfig(`diskimages:\n${diskimage('debian')}providers:\n${provider('cloud-a', '      - name: debian\n')}`);
  await waitFor(async () => (await builds(store, 'ubuntu')).length === 0, WAIT);
  await waitFor(async () => !(await readdir(box.imagesDir)).some((name) => name.startsWith('ubuntu-')), WAIT);
  t.pass();
});

test('a configuration reload applies (a new image is built and uploaded); an invalid file keeps the one in force', async (t) => {
  const box = await builderSandbox(t, zk());
  await box.writeConfig(`diskimages:\n${diskimage('debian')}providers:\n${provider('cloud-a', '      - name: debian\n')}`);
  const builder = await box.builder();
  const store = await box.zk();
  await waitFor(async () => (await uploads(store, 'debian', 'cloud-a')).some((u) => u.state === 'ready'), WAIT);

  await box.writeConfig(`diskimages:\n${diskimage('debian')}providers:\n  - name: cloud-a\n    driver: imagecloud\n    no-such-key: 1\n`);
  await new Promise((resolve) => setTimeout(resolve, 0));
  await box.writeConfig(`diskimages:\n${diskimage('debian')}${diskimage('fedora', '    release: 40\n')}providers:\n${provider('cloud-a', '      - name: debian\n      - name: fedora\n', '    image-format: raw\n')}`);
  await waitFor(() => builder.config.diskimages.has('fedora'), WAIT);
  const upload = await waitFor(async () => (await uploads(store, 'fedora', 'cloud-a')).find((u) => u.state === 'ready'), WAIT);
  t.is(upload.format, 'raw');
  t.is(box.cloud.images.get(upload.externalId!)!.format, 'raw');
  t.regex(await readFile(join(box.logDir, `fedora-${upload.buildId}.log`), 'utf8'), /release=40/);

  // Broken: the builder keeps going with the configuration in force.
  await box.writeConfig('diskimages: [\n');
  await access(box.configFile);
  await builder.workers.build[0]!.pass();
  t.true(builder.config.diskimages.has('fedora'));
});

test('a failed upload is recorded failed and tried again; post-upload-hook gets provider, image ID and file, and its failure deletes the upload', async (t) => {
  const box = await builderSandbox(t, zk());
  const { writeFile, chmod } = await import('node:fs/promises');
  const hook = join(box.dir, 'hook.sh');
  const calls = join(box.dir, 'hook-calls');
  // Fails its first run, succeeds after.
  await writeFile(hook, `#!/bin/sh\necho "$@" >> ${calls}\n[ -f ${calls}.seen ] || { touch ${calls}.seen; echo refused >&2; exit 3; }\n`);
  await chmod(hook, 0o755);
  box.cloud.failNextUploads(1);
  await box.writeConfig(`diskimages:\n${diskimage('debian')}providers:\n${provider('cloud-a', '      - name: debian\n', `    post-upload-hook: ${hook}\n`)}`);
  await box.builder();
  const store = await box.zk();
  const ready = await waitFor(async () => (await uploads(store, 'debian', 'cloud-a')).find((u) => u.state === 'ready'), WAIT);
  const hookCalls = (await readFile(calls, 'utf8')).trim().split('\n');
  t.is(hookCalls.length, 2, 'the hook ran after each successful upload');
  const file = join(box.imagesDir, `debian-${ready.buildId}.qcow2`);
  t.is(hookCalls[1], `cloud-a ${ready.externalId} ${file}`);
  const refusedId = hookCalls[0]!.split(' ')[1]!;
  t.true(box.cloud.deleted.includes(refusedId), 'the upload whose hook failed was deleted from the cloud');
  t.deepEqual([...box.cloud.images.keys()], [ready.externalId]);
  // The failed records (the refused upload, the failed hook) are cleaned up.
  await waitFor(async () => (await uploads(store, 'debian', 'cloud-a')).every((u) => u.state === 'ready'), WAIT);
  t.is((await uploads(store, 'debian', 'cloud-a')).length, 1);
});
