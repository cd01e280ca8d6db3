/**
 * The azure adapter turns each key of 9.0.0's schema into what Azure is asked for, checked in the
 * fake's state after a real launch through the SDK: images by `image-filter`, `image-id` and
 * gallery, passwords (`password`, `generate-password`), `user-data` and `custom-data`,
 * `subnet-id`, pools without public IPv4; and long-running operations polled through their
 * `Azure-AsyncOperation` URLs.
 */
import test from 'ava';
import { getLogger, type Instance, type NodeRequest } from '@nodepool/core';
import { AzureAdapter } from '@nodepool/driver-azure';
import { adapterContext, azureConfig, instanceListing, runMachine, useFakeAzure, type Fake } from './helpers.js';

const log = getLogger('test.driver-azure');
const request = { id: '200-0000000001', nodeTypes: ['x'] } as unknown as NodeRequest;
const metadata = { nodepool_node_id: '0000000001', nodepool_pool_name: 'main', nodepool_provider_name: 'azure' };
const VM = 'Microsoft.Compute/virtualMachines';
const NIC = 'Microsoft.Network/networkInterfaces';
const PIP = 'Microsoft.Network/publicIPAddresses';
const KEY = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIFakeKeyForTests zuul@example.org';

/** A provider whose labels are named after their cloud images; `provider` and `pool` keys indented 4 and 8. */
function yaml(fake: Fake, options: { provider?: string; pool?: string } = {}): string {
  const images: Record<string, string> = {
    'by-tag': 'image-filter:\n          tags:\n            foo: bar',
    'by-name': 'image-filter:\n          name: ci-image-2',
    'by-id': `image-id: /subscriptions/${fake.identity.subscriptionId}/resourceGroups/nodepool-nodes/providers/Microsoft.Compute/images/ci-image-1`,
    shared: 'shared-gallery-image:\n          gallery-name: ci-gallery\n          name: ubuntu-ci',
    community: 'community-gallery-image:\n          gallery-name: public-gallery\n          name: debian\n          version: 1.0.0',
  };
  const marketplace = 'image-reference:\n          publisher: MicrosoftWindowsServer\n          offer: WindowsServer\n          sku: 2016-Datacenter\n          version: latest';
  return `labels:
${[...Object.keys(images), 'generated', 'given'].map((name) => `  - name: ${name}\n`).join('')}providers:
  - name: azure
    driver: azure
    location: eastus
    resource-group: nodepool-nodes
    resource-group-location: eastus
    auth-path: ${fake.authPath}
${options.provider ?? '    network:\n      resource-group: nodepool\n      network: nodepool\n'}    cloud-images:
${Object.entries(images)
  .map(([name, spec]) => `      - name: ${name}\n        username: zuul\n        key: ${KEY}\n        ${spec}\n`)
  .join('')}      - name: generated
        username: Administrator
        generate-password: true
        connection-type: winrm
        ${marketplace}
      - name: given
        username: Administrator
        password: Sw0rdfish-Sw0rdfish
        ${marketplace}
    pools:
      - name: main
        max-servers: 10
${options.pool ?? ''}        labels:
${[...Object.keys(images), 'generated', 'given']
  .map((name) => `          - name: ${name}\n            cloud-image: ${name}\n            hardware-profile:\n              vm-size: Standard_B1s\n            user-data: '#cloud-config'\n            custom-data: 'echo hello'\n`)
  .join('')}`;
}

async function setup(t: { teardown(fn: () => unknown): void }, options: { provider?: string; pool?: string; fake?: Parameters<typeof useFakeAzure>[1] } = {}) {
  const fake = await useFakeAzure(t, options.fake);
  // Images of the resource group, as nodepool-builder or an operator leaves them.
  for (const [name, tags] of [['ci-image-1', { foo: 'bar' }], ['ci-image-2', { foo: 'bar' }], ['other', { foo: 'baz' }]] as const) {
    fake.addLeak({ resourceGroup: 'nodepool-nodes', location: 'eastus', kind: 'image', name, tags });
  }
  const config = await azureConfig(yaml(fake, options));
  const adapter = new AzureAdapter(config, adapterContext(), { lroPollMs: 10 });
  const listing = instanceListing(adapter);
  const launch = (label: string, hostname = `np-${label}`) =>
    runMachine<Instance>(
      adapter.getCreateStateMachine({ hostname, label: config.pools.get('main')!.labels.get(label)!, imageExternalId: undefined, metadata, request, az: undefined, instances: listing, log }),
    );
  const vm = (hostname: string) => fake.resources(VM).find((each) => each.name === hostname)!;
  return { fake, launch, vm };
}

test('image-filter takes the last matching image by name; image-id and gallery images are referenced as given', async (t) => {
  const { fake, launch, vm } = await setup(t);
  const imageId = (name: string) => fake.resources('Microsoft.Compute/images').find((each) => each.name === name)!.id as string;
  await launch('by-tag');
  t.deepEqual(vm('np-by-tag').properties.storageProfile.imageReference, { id: imageId('ci-image-2') }, 'ci-image-1 and ci-image-2 match: the last by name');
  await launch('by-name');
  t.deepEqual(vm('np-by-name').properties.storageProfile.imageReference, { id: imageId('ci-image-2') });
  await launch('by-id');
  t.deepEqual(vm('np-by-id').properties.storageProfile.imageReference, { id: imageId('ci-image-1') });
  await launch('shared');
  t.deepEqual(vm('np-shared').properties.storageProfile.imageReference, { sharedGalleryImageId: '/SharedGalleries/ci-gallery/Images/ubuntu-ci/Versions/latest' });
  await launch('community');
  t.deepEqual(vm('np-community').properties.storageProfile.imageReference, { communityGalleryImageId: '/CommunityGalleries/public-gallery/Images/debian/Versions/1.0.0' });
});

test('user-data and custom-data go base64-encoded; a cloud image’s password or a generated one is the administrator’s', async (t) => {
  const { fake, launch, vm } = await setup(t);
  await launch('by-tag');
  const keyed = fake.vmSecrets('nodepool-nodes', 'np-by-tag')!;
  t.is(Buffer.from(keyed.userData!, 'base64').toString(), '#cloud-config');
  t.is(Buffer.from(keyed.customData!, 'base64').toString(), 'echo hello');
  t.is(keyed.adminPassword, undefined, 'an SSH key, no password');
  t.like(vm('np-by-tag').properties.osProfile, { adminUsername: 'zuul', linuxConfiguration: { disablePasswordAuthentication: true, ssh: { publicKeys: [{ path: '/home/zuul/.ssh/authorized_keys', keyData: KEY }] } } });

  await launch('generated');
  const generated = fake.vmSecrets('nodepool-nodes', 'np-generated')!.adminPassword!;
  t.regex(generated, /^[A-Za-z0-9]{64}$/);
  t.true(/[a-z]/.test(generated) && /[A-Z]/.test(generated) && /[0-9]/.test(generated), generated);
  t.is(vm('np-generated').properties.osProfile.adminUsername, 'Administrator');
  await launch('generated', 'np-generated-2');
  t.not(fake.vmSecrets('nodepool-nodes', 'np-generated-2')!.adminPassword, generated, 'a new password per VM');

  await launch('given');
  t.is(fake.vmSecrets('nodepool-nodes', 'np-given')!.adminPassword, 'Sw0rdfish-Sw0rdfish');
});

test('subnet-id is used as given; a pool without public IPv4 gets no public IP and is reached on its private address', async (t) => {
  const subnet = '/subscriptions/00000000-0000-4000-8000-000000000001/resourceGroups/nodepool/providers/Microsoft.Network/virtualNetworks/nodepool/subnets/default';
  const { fake, launch } = await setup(t, { provider: `    subnet-id: ${subnet}\n`, pool: '        public-ipv4: false\n        ipv4: true\n' });
  const instance = await launch('by-tag');
  t.deepEqual(fake.resources(PIP), []);
  const [nic] = fake.resources(NIC);
  const [config] = nic!.properties.ipConfigurations as { name: string; properties: { privateIPAddress: string; subnet: { id: string }; publicIPAddress?: unknown } }[];
  t.is(config!.properties.subnet.id.toLowerCase(), subnet.toLowerCase());
  t.is(config!.properties.publicIPAddress, undefined);
  t.like(instance, { publicIpv4: null, privateIpv4: config!.properties.privateIPAddress, interfaceIp: config!.properties.privateIPAddress });
  t.is(fake.calls()['subnets.get'], undefined, 'the subnet was not looked up');
});

test('a public IP that takes its time is waited for through its Azure-AsyncOperation URL; the VM itself only through listings', async (t) => {
  const { fake, launch } = await setup(t, { fake: { publicIpDelayMs: 300, retryAfterS: 0 } });
  const instance = await launch('by-tag');
  const [pip] = fake.resources(PIP);
  t.is(pip!.properties.provisioningState, 'Succeeded');
  t.is(instance.publicIpv4, pip!.properties.ipAddress);
  const calls = fake.calls();
  t.true((calls['operations.get'] ?? 0) >= 2, `the public IP's and the NIC's operations were polled: ${JSON.stringify(calls)}`);
  t.is(calls['virtualMachines.get'] ?? 0, 0, 'no VM read by itself');
  t.is(calls['operationResults.get'] ?? 0, 0, 'the Location URL was not used: Azure-AsyncOperation wins');
});
