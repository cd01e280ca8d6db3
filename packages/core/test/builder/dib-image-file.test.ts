import test from 'ava';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deleteLocalBuild, findDibImageFiles, getLogger, localBuilds } from '@nodepool/core';
import { pruneBuildLogs } from '../../src/builder/build-log.js';

const log = getLogger('test');

async function dir(t: { teardown(fn: () => unknown): void }): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'dib-files-'));
  t.teardown(() => rm(path, { recursive: true, force: true }));
  return path;
}

test('finds a build\'s files by format with their checksums, lists local builds, and deletes one build only', async (t) => {
  const images = await dir(t);
  const md5 = 'a'.repeat(32);
  await writeFile(join(images, 'debian-abc1.qcow2'), 'q');
  await writeFile(join(images, 'debian-abc1.qcow2.md5'), `${md5}  debian-abc1.qcow2\n`);
  await writeFile(join(images, 'debian-abc1.raw'), 'r');
  await mkdir(join(images, 'debian-abc1.d'));
  await writeFile(join(images, 'debian-abc2.raw'), 'other build');
  await writeFile(join(images, 'builder_id.txt'), 'x');
  const files = (await findDibImageFiles(images, 'debian-abc1')).sort((a, b) => a.extension.localeCompare(b.extension));
  t.deepEqual(files.map((file) => [file.extension, file.md5, file.sha256]), [['qcow2', md5, undefined], ['raw', undefined, undefined]]);
  t.deepEqual((await localBuilds(images)).map((build) => `${build.image} ${build.buildId}`).sort(), ['debian abc1', 'debian abc2']);
  await deleteLocalBuild(images, 'debian', 'abc1', log);
  t.deepEqual((await readdir(images)).sort(), ['builder_id.txt', 'debian-abc2.raw']);
  await deleteLocalBuild(images, 'debian', 'abc1', log);
  t.pass('a second delete is fine');
});

test('build logs: the newest `build-log-retention` of the image are kept before a build, other images\' logs untouched', async (t) => {
  const logs = await dir(t);
  const names = ['foo-0001.log', 'foo-0002.log', 'foo-0003.log', 'foobar-0001.log', 'foo-notes.txt'];
  for (const [index, name] of names.entries()) {
    await writeFile(join(logs, name), name);
    await utimes(join(logs, name), 1_000 + index, 1_000 + index);
  }
  await pruneBuildLogs(logs, 'foo', 2, log);
  t.deepEqual((await readdir(logs)).sort(), ['foo-0002.log', 'foo-0003.log', 'foo-notes.txt', 'foobar-0001.log']);
  await pruneBuildLogs(logs, 'foo', 0, log);
  t.deepEqual((await readdir(logs)).sort(), ['foo-0003.log', 'foo-notes.txt', 'foobar-0001.log'], 'at least one is kept');
  await pruneBuildLogs(logs, 'foo', -1, log);
  t.is((await readdir(logs)).length, 3, 'a negative retention keeps every log');
});
