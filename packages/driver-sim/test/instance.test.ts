import test from 'ava';
import type { SimInstance } from '@nodepool/driver-sim/cloud';
import { isSimInstanceView, toInstance, toResource } from '../src/instance.js';

const raw: SimInstance = {
  id: 'i-0000002a',
  name: 'np0000000042',
  status: 'building',
  flavor: 'medium',
  cores: 2,
  ram: 4096,
  imageId: 'img-sim-base',
  az: 'sim-b',
  region: 'sim',
  metadata: { nodepool_node_id: '0000000042', nodepool_pool_name: 'main', nodepool_provider_name: 'sim' },
  addresses: { public: '192.0.2.7', private: '10.1.2.3' },
  sshPort: 2022,
  createdAt: '2026-01-01T00:00:00.000Z',
};

test('an instance keeps the cloud’s status and maps its addresses, zone and tags', (t) => {
  const instance = toInstance(raw);
  t.like(instance, {
    externalId: 'i-0000002a',
    status: 'building',
    flavor: 'medium',
    ready: false,
    deleted: false,
    interfaceIp: '192.0.2.7',
    publicIpv4: '192.0.2.7',
    publicIpv6: null,
    privateIpv4: '10.1.2.3',
    cloud: 'sim',
    region: 'sim',
    az: 'sim-b',
    hostId: null,
    metadata: raw.metadata,
    driverData: { sshPort: 2022 },
  });
  t.true(isSimInstanceView(instance));
  t.false(isSimInstanceView({ externalId: 'x', metadata: {} }));
  t.deepEqual(instance.getQuotaInformation?.()?.toJson(), { cores: 2, instances: 1, ram: 4096 });
});

test('only a running instance is ready, and a deleting one is deleted', (t) => {
  t.true(toInstance({ ...raw, status: 'running' }).ready);
  t.false(toInstance({ ...raw, status: 'error' }).ready);
  t.true(toInstance({ ...raw, status: 'deleting' }).deleted);
});

test('a resource carries what deleting it takes', (t) => {
  t.deepEqual(toResource('instance', raw), { type: 'instance', id: 'i-0000002a', name: 'np0000000042', metadata: raw.metadata });
});
