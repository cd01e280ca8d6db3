import test from 'ava';
import { apiCallName } from '@nodepool/driver-openstack';

test('calls are named as openstacksdk names them in its metrics', (t) => {
  t.is(apiCallName('compute', 'GET', '/servers/detail'), 'compute.GET.servers_detail');
  t.is(apiCallName('compute', 'GET', '/v2.1/servers/detail?limit=5'), 'compute.GET.servers_detail');
  t.is(apiCallName('compute', 'POST', '/servers'), 'compute.POST.servers');
  t.is(apiCallName('compute', 'DELETE', '/servers/8f3c'), 'compute.DELETE.server');
  t.is(apiCallName('compute', 'POST', '/v2.1/servers/8f3c/action'), 'compute.POST.server_action');
  t.is(apiCallName('compute', 'GET', '/os-availability-zone'), 'compute.GET.os-availability-zone');
  t.is(apiCallName('network', 'GET', '/v2.0/ports.json'), 'network.GET.ports');
  t.is(apiCallName('network', 'DELETE', '/v2.0/floatingips/abc'), 'network.DELETE.floatingip');
  t.is(apiCallName('image', 'PUT', '/v2/images/abc/file'), 'image.PUT.image_file');
  t.is(apiCallName('block-storage', 'GET', '/v3/p1/volumes/detail', 'p1'), 'block-storage.GET.volumes_detail');
  t.is(apiCallName('block-storage', 'GET', '/v3/p1/limits', 'p1'), 'block-storage.GET.limits');
  t.is(apiCallName('block-storage', 'POST', '/volumes/v1/metadata'), 'block-storage.POST.volume_metadata');
  t.is(apiCallName('identity', 'POST', '/v3/auth/tokens'), 'identity.POST.tokens');
  t.is(apiCallName('compute', 'GET', '/'), 'compute.GET.discovery');
  t.is(apiCallName('network', 'GET', '/v2.0/'), 'network.GET.discovery');
});
