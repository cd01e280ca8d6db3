/**
 * The fake Compute Engine's wire format with a plain HTTP client: what google-auth-library and
 * @google-cloud/compute see, and what a hand-written client would.
 */
import test from 'ava';
import { waitFor } from '@nodepool/testkit';
import { FAKE_GCE_AUDIENCE, FAKE_GCE_SUBJECT_TOKEN } from '@nodepool/driver-gce/testing';
import { useFakeGce } from '../helpers.js';

type Json = Record<string, any>;
const BASE = 'projects/p1/zones/us-central1-a';

async function token(url: string): Promise<string> {
  const response = await fetch(`${url}/token`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange',
      audience: FAKE_GCE_AUDIENCE,
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      requested_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      subject_token: FAKE_GCE_SUBJECT_TOKEN,
      subject_token_type: 'urn:ietf:params:oauth:token-type:jwt',
    }),
  });
  const body = (await response.json()) as Json;
  return body.access_token as string;
}

function api(url: string, bearer: string) {
  return async (method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const response = await fetch(`${url}/compute/v1/${path}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, ...(body ? { 'Content-Type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Json };
  };
}

const instance = (name: string, extra: Json = {}) => ({
  name,
  machineType: 'zones/us-central1-a/machineTypes/n1-standard-2',
  disks: [{ boot: true, autoDelete: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12', diskSizeGb: '20' } }],
  networkInterfaces: [{ network: 'global/networks/default', accessConfigs: [{ type: 'ONE_TO_ONE_NAT', name: 'External NAT' }] }],
  ...extra,
});

test('the token endpoint exchanges the subject token (RFC 8693); the API wants its bearer token', async (t) => {
  const fake = await useFakeGce(t);
  const refused = await fetch(`${fake.url}/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:token-exchange', requested_token_type: 'urn:ietf:params:oauth:token-type:access_token', audience: FAKE_GCE_AUDIENCE, subject_token: 'stolen' }) });
  t.is(refused.status, 400);
  t.like(await refused.json(), { error: 'invalid_grant' });
  const anonymous = await api(fake.url, 'nonsense')('GET', `${BASE}/instances`);
  t.is(anonymous.status, 401);
  t.like(anonymous.body.error, { code: 401, status: 'UNAUTHENTICATED', errors: [{ reason: 'authError', domain: 'global' }] });
  const call = api(fake.url, await token(fake.url));
  t.deepEqual((await call('GET', `${BASE}/instances`)).body, { kind: 'compute#instanceList', id: `${BASE}/instances`, selfLink: `https://www.googleapis.com/compute/v1/${BASE}/instances` });
  fake.revokeTokens();
  t.is((await call('GET', `${BASE}/instances`)).status, 401, 'a revoked token is refused');
});

test('an insert answers with a zone operation; the instance goes PROVISIONING, STAGING, RUNNING; delete takes it away', async (t) => {
  // A delete that takes longer than any test, so STOPPING is seen however slow the machine is.
  const fake = await useFakeGce(t, { bootDelayMs: 300, deleteDelayMs: 600_000 });
  const call = api(fake.url, await token(fake.url));
  const inserted = await call('POST', `${BASE}/instances?requestId=r1`, instance('vm-1', { metadata: { items: [{ key: 'a', value: 'b' }] } }));
  t.is(inserted.status, 200);
  t.true(['PENDING', 'RUNNING'].includes(inserted.body.status));
  t.like(inserted.body, { kind: 'compute#operation', operationType: 'insert', targetLink: `https://www.googleapis.com/compute/v1/${BASE}/instances/vm-1` });
  t.regex(inserted.body.name, /^operation-\d+-[0-9a-f]{13}-[0-9a-f]{8}-[0-9a-f]{8}$/);
  const again = await call('POST', `${BASE}/instances?requestId=r1`, instance('vm-1'));
  t.is(again.body.name, inserted.body.name, 'the same requestId is the same operation');
  const seen = new Set<string>();
  await waitFor(async () => {
    const { body } = await call('GET', `${BASE}/instances/vm-1`);
    seen.add(body.status);
    return body.status === 'RUNNING';
  }, { timeoutMs: 10_000 });
  t.true(seen.has('RUNNING'));
  const { body: running } = await call('GET', `${BASE}/instances/vm-1`);
  t.like(running, { kind: 'compute#instance', name: 'vm-1', zone: `https://www.googleapis.com/compute/v1/${BASE}`, metadata: { kind: 'compute#metadata', items: [{ key: 'a', value: 'b' }] } });
  t.like(running.disks[0], { boot: true, autoDelete: true, diskSizeGb: '20', type: 'PERSISTENT' });
  t.regex(running.networkInterfaces[0].networkIP, /^10\.128\./);
  t.like((await call('GET', `${BASE}/operations/${inserted.body.name}`)).body, { status: 'DONE', progress: 100 });

  const deleted = await call('DELETE', `${BASE}/instances/vm-1`);
  t.like(deleted.body, { operationType: 'delete' });
  t.is((await call('GET', `${BASE}/instances/vm-1`)).body.status, 'STOPPING');
  fake.configure({ bootDelayMs: 0, deleteDelayMs: 0 });
  t.is((await call('POST', `${BASE}/instances?requestId=r2`, instance('vm-2'))).status, 200);
  await waitFor(async () => (await call('GET', `${BASE}/instances/vm-2`)).body.status === 'RUNNING', { timeoutMs: 10_000 });
  await call('DELETE', `${BASE}/instances/vm-2`);
  await waitFor(async () => (await call('GET', `${BASE}/instances/vm-2`)).status === 404, { timeoutMs: 10_000 });
  const gone = await call('DELETE', `${BASE}/instances/vm-2`);
  t.is(gone.status, 404);
  t.like(gone.body.error, { code: 404, message: `The resource '${BASE}/instances/vm-2' was not found`, errors: [{ reason: 'notFound' }] });
});

test('Compute’s 400s and 409s: names, machine types, images, disk types, duplicates', async (t) => {
  const fake = await useFakeGce(t);
  const call = api(fake.url, await token(fake.url));
  const expect = async (body: Json, status: number, pattern: RegExp) => {
    const answer = await call('POST', `${BASE}/instances`, body);
    t.is(answer.status, status, JSON.stringify(answer.body));
    t.regex(answer.body.error.message, pattern);
  };
  await expect(instance('Bad_Name'), 400, /Invalid value for field 'resource.name'/);
  await expect(instance('vm', { machineType: 'zones/us-central1-a/machineTypes/n9-huge' }), 400, /Machine type with name 'n9-huge' does not exist/);
  await expect(instance('vm', { disks: [{ boot: true, initializeParams: { sourceImage: 'debian-12' } }] }), 400, /The URL is malformed/);
  await expect(instance('vm', { disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/nope' } }] }), 404, /was not found/);
  await expect(instance('vm', { disks: [{ boot: true, initializeParams: { sourceImage: 'global/images/family/debian-12', diskType: 'zones/us-central1-a/diskTypes/standard' } }] }), 404, /family\/debian-12' was not found/);
  await expect(instance('vm', { disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12', diskType: 'zones/us-central1-a/diskTypes/standard' } }] }), 400, /Disk type does not exist/);
  await expect(instance('vm', { disks: [{ boot: true, initializeParams: { sourceImage: 'projects/debian-cloud/global/images/family/debian-12', diskSizeGb: '5' } }] }), 400, /cannot be smaller than the image size/);
  t.is((await call('POST', `${BASE}/instances`, instance('vm'))).status, 200);
  await expect(instance('vm'), 409, /already exists/);
  t.is((await call('GET', 'projects/p1/zones/mars-north1-a/instances')).status, 404);
});

test('families give their newest image that is not deprecated; listings page by maxResults', async (t) => {
  const fake = await useFakeGce(t);
  const call = api(fake.url, await token(fake.url));
  t.is((await call('GET', 'projects/debian-cloud/global/images/family/debian-12')).body.name, 'debian-12-bookworm-v20240110');
  fake.addImage({ project: 'debian-cloud', name: 'debian-12-bookworm-v20240301', family: 'debian-12' });
  t.is((await call('GET', 'projects/debian-cloud/global/images/family/debian-12')).body.name, 'debian-12-bookworm-v20240301');
  for (const name of ['a1', 'a2', 'a3']) await call('POST', `${BASE}/instances`, instance(name));
  const first = await call('GET', `${BASE}/instances?maxResults=2`);
  t.is(first.body.items.length, 2);
  const second = await call('GET', `${BASE}/instances?maxResults=2&pageToken=${first.body.nextPageToken}`);
  t.deepEqual(second.body.items.map((each: Json) => each.name), ['a3']);
  t.is(second.body.nextPageToken, undefined);
});

test('region quotas count the instances; an insert beyond them ends its operation with QUOTA_EXCEEDED', async (t) => {
  const fake = await useFakeGce(t, { quotas: { CPUS: 4 } });
  const call = api(fake.url, await token(fake.url));
  await call('POST', `${BASE}/instances`, instance('q1'));
  await call('POST', `${BASE}/instances`, instance('q2'));
  const quotas = (await call('GET', 'projects/p1/regions/us-central1')).body.quotas as Json[];
  t.like(quotas.find((quota) => quota.metric === 'CPUS'), { limit: 4, usage: 4 });
  t.like(quotas.find((quota) => quota.metric === 'INSTANCES'), { usage: 2 });
  const over = await call('POST', `${BASE}/instances`, instance('q3'));
  t.is(over.status, 200, 'accepted: the operation reports the quota');
  const operation = (await call('GET', `${BASE}/operations/${over.body.name}`)).body;
  t.like(operation, { status: 'DONE', httpErrorStatusCode: 403, error: { errors: [{ code: 'QUOTA_EXCEEDED', message: "Quota 'CPUS' exceeded.  Limit: 4.0 in region us-central1." }] } });
  t.is((await call('GET', `${BASE}/instances/q3`)).status, 404);
});

test('faults by count: throttling (403/429 rateLimitExceeded) is counted apart; other errors as failed', async (t) => {
  const fake = await useFakeGce(t);
  const call = api(fake.url, await token(fake.url));
  fake.injectFault({ operation: 'instances.list', status: 429, every: 2 });
  fake.injectFault({ operation: 'regions.get', status: 503, first: 1 });
  const statuses = [];
  for (let i = 0; i < 4; i++) statuses.push((await call('GET', `${BASE}/instances`)).status);
  t.deepEqual(statuses, [200, 429, 200, 429]);
  const throttled = await call('GET', `${BASE}/instances`);
  t.is(throttled.status, 200);
  const unavailable = await call('GET', 'projects/p1/regions/us-central1');
  t.is(unavailable.status, 503);
  t.like(unavailable.body.error, { errors: [{ reason: 'backendError' }] });
  t.like(fake.calls(), { 'instances.list': 3, 'instances.list.throttled': 2, 'regions.get': 1, 'regions.get.failed': 1 });
});
