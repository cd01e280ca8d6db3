import test from 'ava';
import { simCloudControl, startSimCloud } from '@nodepool/driver-sim/cloud';
import { api } from '../helpers.js';

test('controls a cloud over HTTP as the in-process handle does', async (t) => {
  const cloud = await startSimCloud();
  t.teardown(() => cloud.stop());
  const control = simCloudControl(`${cloud.url}/`);

  t.like(await control.configure({ bootDelayMs: 0, maxInstances: 5 }), { maxInstances: 5 });
  t.like(await control.settings(), { maxInstances: 5 });
  const leak = await control.createInstance({ metadata: { nodepool_node_id: '1', nodepool_provider_name: 'sim' } });
  t.deepEqual(await control.instances(), [leak]);
  const image = await control.createImage({ name: 'uploaded', id: 'img-fixed' });
  t.is(image.id, 'img-fixed');
  t.deepEqual(
    (await control.images()).map((listed) => listed.id),
    ['img-sim-base', 'img-fixed'],
  );

  await api(cloud.url, 'GET', '/instances');
  t.deepEqual(await control.calls(), { 'instances.list': 1 });
  t.deepEqual(await control.resetCalls(), { 'instances.list': 1 });
  t.deepEqual(await control.calls(), {});

  await control.reset();
  t.deepEqual(await control.instances(), []);
  await t.throwsAsync(control.configure({ seed: 0.5 }), { message: /HTTP 400: seed must be an integer/ });
});
