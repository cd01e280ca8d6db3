import test from 'ava';
import { getLogger, LaunchStatusError, NodeRequest, QuotaError, type Instance, type StateMachine } from '@nodepool/core';
import type { SimInstanceView } from '@nodepool/driver-sim';
import { FakeClock, nodeTags, simSetup } from './helpers.js';

const log = getLogger('test.sim-state-machines');

type Setup = Awaited<ReturnType<typeof simSetup>>;

function createMachine(setup: Setup, labelName = 'small', nodeId = '0000000001', imageExternalId?: string): StateMachine<Instance> {
  return setup.adapter.getCreateStateMachine({
    hostname: `np${nodeId}`,
    label: setup.label(labelName),
    imageExternalId,
    metadata: nodeTags(nodeId),
    request: new NodeRequest(),
    az: undefined,
    instances: setup.listing,
    log,
  });
}

test('a create machine walks its states to an Instance while the instance boots', async (t) => {
  const clock = new FakeClock();
  const setup = await simSetup({ bootDelayMs: 10_000, now: clock.now });
  t.teardown(setup.stop);
  const machine = createMachine(setup);
  t.is(machine.state, 'start');
  t.is(machine.externalId, undefined);

  t.is(await machine.advance(), undefined);
  t.is(machine.state, 'waiting for instance');
  t.false(machine.complete);
  t.regex(machine.externalId ?? '', /^i-/, 'the ID is known as soon as the create returned');
  t.is(await machine.advance(), undefined);

  clock.advance(10_000);
  const instance = (await machine.advance()) as SimInstanceView;
  t.is(machine.state, 'complete');
  t.true(machine.complete);
  t.like(instance, {
    externalId: machine.externalId,
    status: 'running',
    ready: true,
    interfaceIp: '127.0.0.1',
    publicIpv4: '127.0.0.1',
    privateIpv4: '127.0.0.1',
    cloud: 'sim',
    region: 'sim',
    az: 'sim-a',
    metadata: nodeTags('0000000001'),
    driverData: { sshPort: 22 },
  });
  t.deepEqual(instance.getQuotaInformation?.()?.toJson(), { cores: 1, instances: 1, ram: 1024 });
  t.like(setup.cloud.instances()[0], { name: 'np0000000001', flavor: 'small', imageId: 'img-sim-base', metadata: nodeTags('0000000001') });
  // The progress came from the shared listing, never from reading the one instance.
  t.is(setup.cloud.calls()['instances.get'], undefined);
  t.is(setup.listing.calls, 3);
});

test('with no boot delay one advance launches, in one API call besides the image lookup', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  const first = await createMachine(setup, 'small', '0000000001').advance();
  t.true(first?.ready);
  t.deepEqual(setup.cloud.resetCalls(), { 'images.list': 1, 'instances.create': 1 });

  // Cloud images are looked up once per ten seconds, and a pinned image or an upload not at all.
  t.truthy(await createMachine(setup, 'small', '0000000002').advance());
  t.truthy(await createMachine(setup, 'pinned', '0000000003').advance());
  t.truthy(await createMachine(setup, 'small', '0000000004', 'img-sim-base').advance());
  t.deepEqual(setup.cloud.calls(), { 'instances.create': 3 });
  t.is(setup.listing.calls, 0);
});

test('a create machine uses the zone it is given', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  const machine = setup.adapter.getCreateStateMachine({
    hostname: 'np1',
    label: setup.label('medium'),
    imageExternalId: undefined,
    metadata: nodeTags('1'),
    request: new NodeRequest(),
    az: 'sim-b',
    instances: setup.listing,
    log,
  });
  t.like(await machine.advance(), { az: 'sim-b' });
  t.like(setup.cloud.instances()[0], { flavor: 'medium', cores: 2, ram: 4096 });
});

test('a failed boot throws LaunchStatusError, with the instance ID known for the clean-up', async (t) => {
  const clock = new FakeClock();
  const setup = await simSetup({ failureRate: 1, bootDelayMs: 1_000, now: clock.now });
  t.teardown(setup.stop);
  const machine = createMachine(setup);
  t.is(await machine.advance(), undefined);
  clock.advance(1_000);
  const error = await t.throwsAsync(machine.advance(), { instanceOf: LaunchStatusError, message: /sim instance i-\w+ \(np0000000001\) is in status error/ });
  t.is(error?.statsdKey, 'error.status');
  t.is(machine.externalId, setup.cloud.instances()[0]?.id);

  setup.cloud.configure({ bootDelayMs: 0 });
  await t.throwsAsync(createMachine(setup, 'small', '0000000002').advance(), { instanceOf: LaunchStatusError }, 'failing at once fails in the first advance');
});

test('an instance deleted while booting fails the launch', async (t) => {
  const setup = await simSetup({ bootDelayMs: 60_000, deleteDelayMs: 60_000 });
  t.teardown(setup.stop);
  const machine = createMachine(setup);
  await machine.advance();
  setup.cloud.configure({ deleteDelayMs: 0 });
  await setup.adapter.deleteResource({ type: 'instance', id: machine.externalId, metadata: {} });
  await t.throwsAsync(machine.advance(), { instanceOf: LaunchStatusError, message: /disappeared while booting/ });
});

test('a quota refusal becomes a QuotaError, before any instance exists', async (t) => {
  const setup = await simSetup({ maxCores: 1 });
  t.teardown(setup.stop);
  t.truthy(await createMachine(setup, 'small', '1').advance());
  const machine = createMachine(setup, 'small', '2');
  await t.throwsAsync(machine.advance(), { instanceOf: QuotaError, message: /HTTP 403 QuotaExceeded: Quota exceeded for cores/ });
  t.is(machine.externalId, undefined);
  t.is(machine.state, 'creating instance');
});

test('a missing cloud image fails the launch with a message naming it', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  await t.throwsAsync(createMachine(setup, 'missing-image').advance(), { message: /has no image named nowhere \(cloud-image of label missing-image\)/ });
  t.deepEqual(setup.cloud.instances(), []);
});

test('a delete machine deletes and waits until the listing no longer shows the instance', async (t) => {
  const clock = new FakeClock();
  const setup = await simSetup({ deleteDelayMs: 5_000, now: clock.now });
  t.teardown(setup.stop);
  const instance = await createMachine(setup).advance();
  const machine = setup.adapter.getDeleteStateMachine(instance!.externalId, { instances: setup.listing, log });
  t.is(machine.state, 'start');
  t.is(machine.externalId, instance!.externalId);
  await machine.advance();
  t.is(machine.state, 'waiting for deletion');
  t.false(machine.complete);
  t.like(setup.cloud.instances()[0], { status: 'deleting' });
  clock.advance(5_000);
  await machine.advance();
  t.true(machine.complete);
  t.deepEqual(setup.cloud.instances(), []);
});

test('deleting an instance the cloud does not know counts as done', async (t) => {
  const setup = await simSetup();
  t.teardown(setup.stop);
  const machine = setup.adapter.getDeleteStateMachine('i-deadbeef', { instances: setup.listing, log });
  await machine.advance();
  t.true(machine.complete);
  t.is(machine.state, 'complete');
  t.is(setup.listing.calls, 0);
});
