/**
 * The fake IBM Cloud's wire format with a plain HTTP client: what the IBM SDKs (and Nodepool
 * 9.0.0's ibm-vpc Python client) see. Instance and floating IP states run on a clock the test
 * moves, so nothing here waits on the machine's speed.
 */
import test from 'ava';
import { FAKE_IBM_API_KEY } from '@nodepool/driver-ibmvpc/testing';
import { useFakeIbmVpc } from '../helpers.js';

type Json = Record<string, any>;
const VERSION = 'version=2024-04-30&generation=2';

async function token(url: string, apikey = FAKE_IBM_API_KEY): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${url}/identity/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded', Accept: 'application/json' },
    body: new URLSearchParams({ grant_type: 'urn:ibm:params:oauth:grant-type:apikey', apikey }),
  });
  return { status: response.status, body: (await response.json()) as Json };
}

function vpc(url: string, bearer: string) {
  return async (method: string, path: string, body?: unknown, query = VERSION): Promise<{ status: number; body: Json; headers: Headers }> => {
    const separator = path.includes('?') ? '&' : '?';
    const response = await fetch(`${url}/v1/${path}${query === '' ? '' : separator + query}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? {} : (JSON.parse(text) as Json), headers: response.headers };
  };
}

/** A fake whose clock the test moves, with a VPC client holding a fresh token. */
async function setup(t: Parameters<typeof useFakeIbmVpc>[0], options: Parameters<typeof useFakeIbmVpc>[1] = {}) {
  const clock = { now: Date.now() };
  const fake = await useFakeIbmVpc(t, { now: () => clock.now, ...options });
  const { body } = await token(fake.url);
  const call = vpc(fake.url, body.access_token as string);
  const vpcs = (await call('GET', 'vpcs')).body.vpcs as Json[];
  const subnets = (await call('GET', 'subnets')).body.subnets as Json[];
  const images = (await call('GET', 'images')).body.images as Json[];
  return { fake, clock, call, vpcId: vpcs[0]!.id as string, subnet: subnets.find((subnet) => subnet.name === 'sn-nodepool')!, images };
}

const instanceBody = (name: string, context: { vpcId: string; subnet: Json; images: Json[] }, extra: Json = {}) => ({
  name,
  profile: { name: 'cx2-2x4' },
  vpc: { id: context.vpcId },
  image: { id: context.images[0]!.id },
  zone: { name: 'us-south-1' },
  primary_network_interface: { name: 'eth0', subnet: { id: context.subnet.id } },
  boot_volume_attachment: { volume: { name, profile: { name: 'general-purpose' } }, delete_volume_on_instance_delete: true },
  ...extra,
});

test('IAM trades an API key for a bearer token with an expiry; the APIs refuse calls without one', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const refused = await token(fake.url, 'not-a-key');
  t.is(refused.status, 400);
  t.like(refused.body, { errorCode: 'BXNIM0415E' });
  const granted = await token(fake.url);
  t.is(granted.status, 200);
  t.like(granted.body, { token_type: 'Bearer', expires_in: 3600 });
  const claims = JSON.parse(Buffer.from((granted.body.access_token as string).split('.')[1]!, 'base64url').toString()) as Json;
  t.is(claims.exp - claims.iat, 3600, 'the SDKs read iat and exp to renew the token');
  const anonymous = await vpc(fake.url, 'nonsense')('GET', 'instances');
  t.is(anonymous.status, 401);
  t.like(anonymous.body, { errors: [{ code: 'not_authorized' }], status_code: 401 });
  const groups = await fetch(`${fake.url}/v2/resource_groups`);
  t.is(groups.status, 401, 'the Resource Manager wants a token too');
  const call = vpc(fake.url, granted.body.access_token as string);
  t.is((await call('GET', 'instances')).status, 200);
  fake.revokeTokens();
  t.is((await call('GET', 'instances')).status, 401, 'a revoked token is refused');
});

test('every VPC call carries a version date and generation=2, as the API demands', async (t) => {
  const { call } = await setup(t);
  const missing = await call('GET', 'instances', undefined, '');
  t.is(missing.status, 400);
  t.like(missing.body.errors[0], { code: 'missing_version', target: { name: 'version', type: 'parameter' } });
  t.like((await call('GET', 'instances', undefined, 'version=2024-13-45&generation=2')).body.errors[0], { code: 'invalid_version' });
  t.like((await call('GET', 'instances', undefined, 'version=2099-01-01&generation=2')).body.errors[0], { code: 'invalid_version' }, 'a date in the future');
  t.like((await call('GET', 'instances', undefined, 'version=2024-04-30&generation=1')).body.errors[0], { code: 'invalid_generation' });
  t.like((await call('GET', 'instances', undefined, 'version=2024-04-30')).body.errors[0], { code: 'invalid_generation' });
  t.is((await call('GET', 'instances')).status, 200);
});

test('an instance is pending until its boot time passes, then running; deleted, it is deleting, then gone', async (t) => {
  const context = await setup(t, { bootDelayMs: 60_000, deleteDelayMs: 30_000 });
  const { call, clock } = context;
  const created = await call('POST', 'instances', instanceBody('np0000000001', context, { user_data: '#cloud-config' }));
  t.is(created.status, 201);
  t.like(created.body, { name: 'np0000000001', status: 'pending', profile: { name: 'cx2-2x4' }, zone: { name: 'us-south-1' }, vpc: { id: context.vpcId } });
  const id = created.body.id as string;
  t.like((await call('GET', `instances/${id}`)).body, { status: 'pending' });
  clock.now += 60_000;
  const running = (await call('GET', `instances/${id}`)).body;
  t.is(running.status, 'running');
  t.truthy(running.primary_network_interface.id);
  t.regex(running.primary_network_interface.primary_ip.address, /^\d+\.\d+\.\d+\.\d+$/);
  const duplicate = await call('POST', 'instances', instanceBody('np0000000001', context));
  t.is(duplicate.status, 400);
  t.like(duplicate.body.errors[0], { code: 'validation_unique_failed', target: { name: 'name' } });
  t.is((await call('DELETE', `instances/${id}`)).status, 204);
  t.like((await call('GET', `instances/${id}`)).body, { status: 'deleting' });
  clock.now += 30_000;
  const gone = await call('GET', `instances/${id}`);
  t.is(gone.status, 404);
  t.like(gone.body.errors[0], { code: 'instance_not_found' });
});

test('an instance refers to things that exist: profile, subnet of its VPC and zone, image, keys', async (t) => {
  const context = await setup(t);
  const { call } = context;
  const refusal = async (extra: Json) => (await call('POST', 'instances', instanceBody('np0000000002', context, extra))).body.errors[0] as Json;
  t.like(await refusal({ profile: { name: 'cx9-1x1' } }), { code: 'instance_profile_not_found' });
  t.like(await refusal({ image: { id: 'r006-missing' } }), { code: 'image_not_found' });
  t.like(await refusal({ zone: { name: 'us-south-2' } }), { code: 'validation_invalid_argument', target: { name: 'zone.name' } });
  t.like(await refusal({ keys: [{ id: 'r006-nokey' }] }), { code: 'key_not_found', target: { name: 'keys[0].id' } });
  const byHref = await call('POST', 'instances', instanceBody('np0000000002', context, { image: { href: context.images[0]!.href } }));
  t.is(byHref.status, 201, 'an image by href');
});

test('a floating IP is pending, then available; bound to a running instance, it names its target', async (t) => {
  const context = await setup(t, { floatingIpDelayMs: 5_000 });
  const { call, clock } = context;
  const fip = await call('POST', 'floating_ips', { name: 'np0000000003', zone: { name: 'us-south-1' } });
  t.is(fip.status, 201);
  t.like(fip.body, { name: 'np0000000003', status: 'pending', zone: { name: 'us-south-1' } });
  t.regex(fip.body.address, /^\d+\.\d+\.\d+\.\d+$/);
  const instance = (await call('POST', 'instances', instanceBody('np0000000003', context))).body;
  const nic = (await call('GET', `instances/${instance.id}`)).body.primary_network_interface.id as string;
  const early = await call('PUT', `instances/${instance.id}/network_interfaces/${nic}/floating_ips/${fip.body.id}`);
  t.is(early.status, 409, 'a pending floating IP cannot be bound yet');
  clock.now += 5_000;
  const bound = await call('PUT', `instances/${instance.id}/network_interfaces/${nic}/floating_ips/${fip.body.id}`);
  t.is(bound.status, 201);
  t.like(bound.body, { status: 'available', target: { id: nic, resource_type: 'network_interface' } });
  const listed = (await call('GET', 'floating_ips')).body.floating_ips as Json[];
  t.like(listed.find((candidate) => candidate.id === fip.body.id), { target: { id: nic } });
  t.is((await call('DELETE', `floating_ips/${fip.body.id}`)).status, 204);
  t.deepEqual((await call('GET', 'floating_ips')).body.floating_ips, []);
});

test('listings are paged by limit with a next link, newest first', async (t) => {
  const context = await setup(t);
  const { call } = context;
  for (let index = 0; index < 5; index++) {
    context.clock.now += 1;
    await call('POST', 'floating_ips', { name: `fip-${index}`, zone: { name: 'us-south-1' } });
  }
  const names: string[] = [];
  let page = (await call('GET', 'floating_ips?limit=2')).body;
  t.is(page.total_count, 5);
  for (;;) {
    names.push(...(page.floating_ips as Json[]).map((fip) => fip.name as string));
    if (!page.next) break;
    const next = new URL(page.next.href as string);
    t.is(next.searchParams.get('limit'), '2');
    page = (await call('GET', `floating_ips?${next.searchParams.toString()}`)).body;
  }
  t.deepEqual(names, ['fip-4', 'fip-3', 'fip-2', 'fip-1', 'fip-0']);
});

test('faults hit calls by count: a 429 carries Retry-After, and each outcome is counted', async (t) => {
  const { fake, call } = await setup(t);
  fake.resetCalls();
  fake.injectFault({ operation: 'vpc.GET.instances', status: 429, first: 2, retryAfterS: 3 });
  fake.injectFault({ operation: 'vpc.GET.vpcs', status: 500, every: 2 });
  const throttled = await call('GET', 'instances');
  t.is(throttled.status, 429);
  t.is(throttled.headers.get('retry-after'), '3');
  t.like(throttled.body.errors[0], { code: 'rate_limit_exceeded' });
  t.is((await call('GET', 'instances')).status, 429);
  t.is((await call('GET', 'instances')).status, 200, 'the rule fired twice and is spent');
  const statuses = [];
  for (let index = 0; index < 4; index++) statuses.push((await call('GET', 'vpcs')).status);
  t.deepEqual(statuses, [200, 500, 200, 500], 'every second call');
  t.deepEqual(fake.calls(), { 'vpc.GET.instances.throttled': 2, 'vpc.GET.instances': 1, 'vpc.GET.vpcs': 2, 'vpc.GET.vpcs.failed': 2 });
});

test('a boot failure rule sends the next instance to failed, with the reason in status_reasons', async (t) => {
  const context = await setup(t);
  const { fake, call } = context;
  fake.failBoots({ first: 1, message: 'no host could take the instance' });
  const failed = (await call('POST', 'instances', instanceBody('np0000000004', context))).body;
  const seen = (await call('GET', `instances/${failed.id}`)).body;
  t.is(seen.status, 'failed');
  t.like(seen.status_reasons[0], { message: 'no host could take the instance' });
  const next = (await call('POST', 'instances', instanceBody('np0000000005', context))).body;
  t.is((await call('GET', `instances/${next.id}`)).body.status, 'running', 'only the first');
});

test('resource groups are listed and created through the Resource Manager; the COS instance is found by name', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const bearer = (await token(fake.url)).body.access_token as string;
  const headers = { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' };
  const before = (await (await fetch(`${fake.url}/v2/resource_groups`, { headers })).json()) as Json;
  t.deepEqual((before.resources as Json[]).map((group) => group.name), ['Default']);
  const created = await fetch(`${fake.url}/v2/resource_groups`, { method: 'POST', headers, body: JSON.stringify({ name: 'np_ibmvpc_main' }) });
  t.is(created.status, 201);
  const group = (await created.json()) as Json;
  t.truthy(group.id);
  t.regex(group.crn as string, /::resource-group:/);
  const after = (await (await fetch(`${fake.url}/v2/resource_groups`, { headers })).json()) as Json;
  t.deepEqual((after.resources as Json[]).map((entry) => entry.name).sort(), ['Default', 'np_ibmvpc_main']);
  const instances = (await (await fetch(`${fake.url}/v2/resource_instances?name=${encodeURIComponent('Cloud Object Storage-r6')}&type=service_instance`, { headers })).json()) as Json;
  t.is((instances.resources as Json[]).length, 1);
  t.is((instances.resources[0].crn as string).split(':')[4], 'cloud-object-storage');
});

test('Cloud Object Storage: the bucket location, objects put, listed, read and deleted with an IAM token', async (t) => {
  const fake = await useFakeIbmVpc(t);
  const bearer = (await token(fake.url)).body.access_token as string;
  const headers = { Authorization: `Bearer ${bearer}` };
  const anonymous = await fetch(`${fake.cosUrl}/nodepool-images?location`);
  t.is(anonymous.status, 403);
  t.regex(await anonymous.text(), /<Code>AccessDenied<\/Code>/);
  const location = await (await fetch(`${fake.cosUrl}/nodepool-images?location`, { headers })).text();
  t.regex(location, /<LocationConstraint[^>]*>us-south-smart<\/LocationConstraint>/);
  t.is((await fetch(`${fake.cosUrl}/nodepool-images/npimage1.qcow2`, { method: 'PUT', headers, body: 'disk bytes' })).status, 200);
  const listing = await (await fetch(`${fake.cosUrl}/nodepool-images?list-type=2`, { headers })).text();
  t.regex(listing, /<Key>npimage1\.qcow2<\/Key>/);
  t.is(await (await fetch(`${fake.cosUrl}/nodepool-images/npimage1.qcow2`, { headers })).text(), 'disk bytes');
  t.is((await fetch(`${fake.cosUrl}/nodepool-images/npimage1.qcow2`, { method: 'DELETE', headers })).status, 204);
  t.is((await fetch(`${fake.cosUrl}/nodepool-images/npimage1.qcow2`, { headers })).status, 404);
  t.like(fake.calls(), { 'cos.PUT.object': 1, 'cos.GET.bucket_location': 1, 'cos.DELETE.object': 1 });
});

test('an image imported from a COS file is pending, then available (failed if the file cannot be read); public images cannot be deleted', async (t) => {
  const context = await setup(t, { imageDelayMs: 10_000 });
  const { fake, call, clock, images } = context;
  fake.putObject('nodepool-images', 'npimage0000000001.qcow2', 'disk bytes');
  const image = (name: string) => call('POST', 'images', { name, file: { href: `cos://us-south/nodepool-images/${name}.qcow2` }, operating_system: { name: 'debian-12-amd64' } });
  const created = await image('npimage0000000001');
  t.is(created.status, 201);
  t.like(created.body, { status: 'pending', visibility: 'private', operating_system: { name: 'debian-12-amd64' } });
  const unreadable = await image('npimage0000000002');
  clock.now += 10_000;
  t.like((await call('GET', `images/${created.body.id}`)).body, { status: 'available', visibility: 'private' });
  t.like((await call('GET', `images/${unreadable.body.id}`)).body, { status: 'failed', status_reasons: [{ code: 'image_data_corrupted' }] });
  const publicImage = images.find((candidate) => candidate.visibility === 'public')!;
  t.is((await call('DELETE', `images/${publicImage.id}`)).status, 403);
  t.is((await call('DELETE', `images/${created.body.id}`)).status, 202);
  t.is((await call('GET', `images/${created.body.id}`)).status, 404);
});
