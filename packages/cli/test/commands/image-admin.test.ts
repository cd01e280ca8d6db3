import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { UUID_BUILD } from '../../../core/test/helpers/original-records.js';
import { cliFixture } from './fixture.js';

const zk = useZooKeeper(test);

const upload = (id: string) => `/nodepool/images/debian/builds/${UUID_BUILD}/providers/cloud-a/images/${id}`;

test('image-build requests a build of a configured, unpaused diskimage', async (t) => {
  const f = await cliFixture(t, zk(), { seed: false });
  t.deepEqual(await f.run('image-build', 'debian'), { code: 0, out: [], err: [] });
  t.not(await f.client.exists('/nodepool/images/debian/request-build'), null);
  t.deepEqual(await f.run('image-build', 'centos'), { code: 1, out: [], err: ['nodepool: Trying to build a non disk-image-builder image: centos'] });
  t.deepEqual(await f.run('image-build', 'ubuntu'), { code: 1, out: [], err: ['nodepool: Skipping build request for image ubuntu; paused'] });
  t.is(await f.client.exists('/nodepool/images/ubuntu/request-build'), null);
});

test('image-pause and image-unpause set and clear the flag, twice without harm', async (t) => {
  const f = await cliFixture(t, zk());
  for (let round = 0; round < 2; round++) t.is((await f.run('image-pause', 'debian')).code, 0);
  t.is((await f.run('dib-image-list')).out[3], '| debian-0000000001                       | debian | None             | qcow2     | paused | 01:02:03:04 |');
  for (let round = 0; round < 2; round++) t.is((await f.run('image-unpause', 'debian')).code, 0);
  t.is(await f.client.exists('/nodepool/images/debian/pause'), null);
});

test('image-delete marks a finished upload deleting and refuses one in progress or missing', async (t) => {
  const f = await cliFixture(t, zk());
  const args = (uploadId: string) => ['image-delete', '--provider', 'cloud-a', '--image', 'debian', '--build-id', UUID_BUILD, '--upload-id', uploadId];
  t.deepEqual(await f.run(...args('0000000001')), { code: 0, out: [], err: [] });
  t.like(JSON.parse((await f.client.getData(upload('0000000001'))).data.toString()), { state: 'deleting', external_id: 'img-1' });
  t.deepEqual(await f.run(...args('0000000002')), { code: 1, out: [], err: ['nodepool: Cannot delete because image upload in progress'] });
  t.deepEqual(await f.run(...args('0000000099')), { code: 1, out: [], err: ['nodepool: Image upload not found'] });
  const missing = await f.run('image-delete', '--provider', 'cloud-a');
  t.is(missing.code, 1);
  t.regex(missing.err[0]!, /required option '--image <image>' not specified/);
});

test('dib-image-delete splits the ID at its last dash, refuses builds in progress and bad IDs', async (t) => {
  const f = await cliFixture(t, zk());
  t.deepEqual(await f.run('dib-image-delete', `debian-${UUID_BUILD}`), { code: 0, out: [], err: [] });
  t.like(JSON.parse((await f.client.getData(`/nodepool/images/debian/builds/${UUID_BUILD}`)).data.toString()), { state: 'deleting', formats: 'qcow2,raw' }, 'the original sorts formats when it writes');
  t.deepEqual(await f.run('dib-image-delete', 'ubuntu-5e0f'), { code: 1, out: [], err: ['nodepool: Cannot delete a build in progress'] });
  t.deepEqual(await f.run('dib-image-delete', 'debian-0000000042'), { code: 1, out: [], err: ['nodepool: Build debian-0000000042 not found'] });
  t.deepEqual(await f.run('dib-image-delete', 'nodash'), { code: 1, out: [], err: ['nodepool: nodash is not a build ID of the form <image>-<build-id> (see "nodepool dib-image-list")'] });
});
