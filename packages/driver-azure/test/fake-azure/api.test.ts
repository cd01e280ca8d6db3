/**
 * The fake Azure's wire format with a plain HTTPS client: the identity platform's token
 * endpoint, Resource Manager's answers (async-operation headers, error codes, paging) and the
 * page blobs of disk uploads.
 */
import test from 'ava';
import { useFakeAzure, type Fake } from '../helpers.js';

type Json = Record<string, any>;
const API = 'api-version=2024-07-01';

async function token(fake: Fake): Promise<string> {
  const response = await fetch(`${fake.url}/${fake.identity.tenantId}/oauth2/v2.0/token`, {
    method: 'POST',
    body: new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.identity.clientId, client_secret: fake.identity.clientSecret, scope: `${fake.url}/.default` }),
  });
  return ((await response.json()) as Json).access_token as string;
}

function arm(fake: Fake, bearer: string) {
  const group = `/subscriptions/${fake.identity.subscriptionId}/resourceGroups/nodepool`;
  const call = async (method: string, path: string, body?: unknown): Promise<{ status: number; headers: Headers; body: Json }> => {
    const response = await fetch(`${fake.url}${path.startsWith('/') ? '' : `${group}/providers/`}${path}${path.includes('?') ? '&' : '?'}${API}`, {
      method,
      headers: { Authorization: `Bearer ${bearer}`, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, body: text ? (JSON.parse(text) as Json) : {} };
  };
  return { call, group };
}

test('client credentials are checked; Resource Manager wants a bearer token and an api-version', async (t) => {
  const fake = await useFakeAzure(t);
  const wrong = await fetch(`${fake.url}/${fake.identity.tenantId}/oauth2/v2.0/token`, { method: 'POST', body: new URLSearchParams({ grant_type: 'client_credentials', client_id: fake.identity.clientId, client_secret: 'guess', scope: `${fake.url}/.default` }) });
  t.is(wrong.status, 401);
  t.like(await wrong.json(), { error: 'invalid_client' });
  const metadata = (await (await fetch(`${fake.url}/${fake.identity.tenantId}/v2.0/.well-known/openid-configuration`)).json()) as Json;
  t.is(metadata.token_endpoint, `${fake.url}/${fake.identity.tenantId}/oauth2/v2.0/token`);
  const anonymous = await fetch(`${fake.url}/subscriptions/${fake.identity.subscriptionId}/resourcegroups/nodepool?${API}`);
  t.is(anonymous.status, 401);
  t.like(await anonymous.json(), { error: { code: 'AuthenticationFailed' } });
  const bearer = await token(fake);
  const noVersion = await fetch(`${fake.url}/subscriptions/${fake.identity.subscriptionId}/resourcegroups/nodepool`, { headers: { Authorization: `Bearer ${bearer}` } });
  t.is(noVersion.status, 400);
  t.like(await noVersion.json(), { error: { code: 'MissingApiVersionParameter' } });
  const { call } = arm(fake, bearer);
  t.like((await call('GET', `/subscriptions/${fake.identity.subscriptionId}/resourcegroups/nodepool`)).body, { name: 'nodepool', properties: { provisioningState: 'Succeeded' } });
  t.is((await call('GET', `/subscriptions/00000000-0000-0000-0000-00000000dead/resourcegroups/nodepool`)).status, 404);
});

test('creations answer 201 with Azure-AsyncOperation; deletions 202 with a Location too, and 204 for what is gone', async (t) => {
  // A VM that boots for longer than any test, so it is seen InProgress however slow the machine is.
  const fake = await useFakeAzure(t, { bootDelayMs: 600_000 });
  const { call, group } = arm(fake, await token(fake));
  const subnet = `${group}/providers/Microsoft.Network/virtualNetworks/nodepool/subnets/default`;
  const pip = await call('PUT', 'Microsoft.Network/publicIPAddresses/ip1', { location: 'eastus', sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static' } });
  t.is(pip.status, 201);
  t.regex(pip.headers.get('azure-asyncoperation')!, /\/providers\/Microsoft\.Network\/locations\/eastus\/operations\/[0-9a-f-]{36}\?api-version=/);
  const nic = await call('PUT', 'Microsoft.Network/networkInterfaces/nic1', { location: 'eastus', properties: { ipConfigurations: [{ name: 'c1', properties: { subnet: { id: subnet }, publicIPAddress: { id: pip.body.id } } }] } });
  t.is(nic.status, 201);
  const vm = await call('PUT', 'Microsoft.Compute/virtualMachines/vm1', {
    location: 'eastus',
    properties: {
      hardwareProfile: { vmSize: 'Standard_B1s' },
      osProfile: { computerName: 'vm1', adminUsername: 'zuul', adminPassword: 'Secret-Passw0rd' },
      storageProfile: { imageReference: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: 'latest' } },
      networkProfile: { networkInterfaces: [{ id: nic.body.id }] },
    },
  });
  t.is(vm.status, 201);
  t.is(vm.body.properties.provisioningState, 'Creating');
  t.is(vm.body.properties.osProfile.adminPassword, undefined, 'secrets are never shown');
  const status = await fetch(vm.headers.get('azure-asyncoperation')!, { headers: { Authorization: `Bearer ${await token(fake)}` } });
  t.like(await status.json(), { status: 'InProgress' });

  const inUse = await call('DELETE', 'Microsoft.Network/networkInterfaces/nic1');
  t.is(inUse.status, 400);
  t.like(inUse.body, { error: { code: 'NicInUse' } });
  const pipInUse = await call('DELETE', 'Microsoft.Network/publicIPAddresses/ip1');
  t.like(pipInUse.body, { error: { code: 'PublicIPAddressCannotBeDeleted' } });

  const deleted = await call('DELETE', 'Microsoft.Compute/virtualMachines/vm1');
  t.is(deleted.status, 202);
  t.truthy(deleted.headers.get('location'));
  t.truthy(deleted.headers.get('azure-asyncoperation'));
  t.is((await call('DELETE', 'Microsoft.Compute/virtualMachines/vm-never')).status, 204);
});

test('ARM’s refusals: quota (409 OperationNotAllowed), bad sizes, missing images and passwords', async (t) => {
  const fake = await useFakeAzure(t, { quotas: { cores: 1 } });
  const { call, group } = arm(fake, await token(fake));
  const subnet = `${group}/providers/Microsoft.Network/virtualNetworks/nodepool/subnets/default`;
  const nic = await call('PUT', 'Microsoft.Network/networkInterfaces/nic2', { location: 'eastus', properties: { ipConfigurations: [{ name: 'c1', properties: { subnet: { id: subnet } } }] } });
  const vm = (size: string, extra: Json = {}) => ({
    location: 'eastus',
    properties: {
      hardwareProfile: { vmSize: size },
      osProfile: { computerName: 'vm2', adminUsername: 'zuul', adminPassword: 'Secret-Passw0rd' },
      storageProfile: { imageReference: { publisher: 'Debian', offer: 'debian-12', sku: '12-gen2', version: 'latest' } },
      networkProfile: { networkInterfaces: [{ id: nic.body.id }] },
      ...extra,
    },
  });
  const quota = await call('PUT', 'Microsoft.Compute/virtualMachines/vm2', vm('Standard_B2s'));
  t.is(quota.status, 409);
  t.like(quota.body, { error: { code: 'OperationNotAllowed' } });
  t.regex(quota.body.error.message, /exceeding approved Total Regional Cores quota.*Current Limit: 1/);
  t.like((await call('PUT', 'Microsoft.Compute/virtualMachines/vm2', vm('Standard_X99'))).body, { error: { code: 'InvalidParameter' } });
  const missing = await call('PUT', 'Microsoft.Compute/virtualMachines/vm2', vm('Standard_B1s', { storageProfile: { imageReference: { publisher: 'Nobody', offer: 'x', sku: 'y', version: 'latest' } } }));
  t.is(missing.status, 404);
  t.like(missing.body, { error: { code: 'PlatformImageNotFound' } });
  const noPassword = await call('PUT', 'Microsoft.Compute/virtualMachines/vm2', vm('Standard_B1s', { osProfile: { computerName: 'vm2', adminUsername: 'zuul' } }));
  t.like(noPassword.body, { error: { code: 'InvalidParameter', message: "Required parameter 'adminPassword' is missing (null)." } });
  const usages = (await call('GET', `/subscriptions/${fake.identity.subscriptionId}/providers/Microsoft.Compute/locations/eastus/usages`)).body.value as Json[];
  t.like(usages.find((usage) => usage.name.value === 'cores'), { limit: 1, currentValue: 0 });
});

test('listings page with nextLink; a 429 carries Retry-After', async (t) => {
  const fake = await useFakeAzure(t, { pageSize: 2 });
  const { call } = arm(fake, await token(fake));
  for (const name of ['a', 'b', 'c']) await call('PUT', `Microsoft.Network/publicIPAddresses/${name}`, { location: 'eastus', sku: { name: 'Standard' }, properties: { publicIPAllocationMethod: 'Static' } });
  const first = await call('GET', 'Microsoft.Network/publicIPAddresses');
  t.is(first.body.value.length, 2);
  const next = await fetch(first.body.nextLink as string, { headers: { Authorization: `Bearer ${await token(fake)}` } });
  t.deepEqual(((await next.json()) as Json).value.map((each: Json) => each.name), ['c']);
  fake.injectFault({ operation: 'publicIPAddresses.list', status: 429, retryAfterS: 7 });
  const throttled = await call('GET', 'Microsoft.Network/publicIPAddresses');
  t.is(throttled.status, 429);
  t.is(throttled.headers.get('retry-after'), '7');
  t.like(fake.calls(), { 'publicIPAddresses.list.throttled': 1 });
});

test('a disk for upload gives a SAS URL to its page blob: 512-byte aligned pages of at most 4 MiB', async (t) => {
  const fake = await useFakeAzure(t);
  const { call } = arm(fake, await token(fake));
  const small = await call('PUT', 'Microsoft.Compute/disks/up0', { location: 'eastus', properties: { creationData: { createOption: 'Upload', uploadSizeBytes: 1024 } } });
  t.like(small.body, { error: { code: 'InvalidParameter' } });
  await call('PUT', 'Microsoft.Compute/disks/up1', { location: 'eastus', properties: { creationData: { createOption: 'Upload', uploadSizeBytes: 20_972_032 } } });
  const grant = await call('POST', 'Microsoft.Compute/disks/up1/beginGetAccess', { access: 'Write', durationInSeconds: 3600 });
  t.is(grant.status, 202);
  const done = await fetch(grant.headers.get('location')!, { headers: { Authorization: `Bearer ${await token(fake)}` } });
  const { accessSAS } = (await done.json()) as { accessSAS: string };
  const put = (range: string, body: Buffer, sas = accessSAS) => fetch(`${sas}&comp=page`, { method: 'PUT', headers: { 'x-ms-page-write': 'update', 'x-ms-range': range }, body });
  t.is((await put('bytes=0-511', Buffer.alloc(512, 1))).status, 201);
  const misaligned = await put('bytes=1-512', Buffer.alloc(512, 1));
  t.is(misaligned.status, 416);
  t.is(misaligned.headers.get('x-ms-error-code'), 'InvalidPageRange');
  t.is((await put('bytes=0-511', Buffer.alloc(512), accessSAS.replace(/sig=[^&]+/, 'sig=forged'))).status, 403);
  t.like((await call('DELETE', 'Microsoft.Compute/disks/up1')).body, { error: { code: 'OperationNotAllowed' } }, 'not while it is being uploaded');
  await call('POST', 'Microsoft.Compute/disks/up1/endGetAccess');
  t.is((await call('GET', 'Microsoft.Compute/disks/up1')).body.properties.diskState, 'Unattached');
  t.is(fake.diskContent('nodepool', 'up1')![0], 1);
});
