import test from 'ava';
import type { NovaServer } from '../src/client/nova.js';
import { needsFloatingIp, serverAddresses } from '../src/server-addresses.js';

const roles = { external: new Set(['public']), internal: new Set(['private']) };
const cloud = { private: false, forceIpv4: false };
const fixed = (addr: string, mac = 'fa:16:3e:00:00:01') => ({ version: 4, addr, 'OS-EXT-IPS:type': 'fixed' as const, 'OS-EXT-IPS-MAC:mac_addr': mac });
const floating = (addr: string, mac = 'fa:16:3e:00:00:01') => ({ version: 4, addr, 'OS-EXT-IPS:type': 'floating' as const, 'OS-EXT-IPS-MAC:mac_addr': mac });
const server = (addresses: NovaServer['addresses'], extra: Partial<NovaServer> = {}): NovaServer => ({ id: 's', name: 'np1', status: 'ACTIVE', addresses, ...extra });

test('a server on a tenant network with a floating IP: the floating IP is public and the interface, the fixed one private', (t) => {
  const addresses = serverAddresses(server({ private: [fixed('10.0.0.5'), floating('172.24.4.9')] }), roles, cloud);
  t.like(addresses, { publicIpv4: '172.24.4.9', privateIpv4: '10.0.0.5', interfaceIp: '172.24.4.9', publicIpv6: null });
  t.false(needsFloatingIp(addresses));
});

test('a server on a tenant network alone needs a floating IP; until it has one it is reached on its fixed address', (t) => {
  const addresses = serverAddresses(server({ private: [fixed('10.0.0.5')] }), roles, cloud);
  t.like(addresses, { publicIpv4: null, privateIpv4: '10.0.0.5', interfaceIp: null });
  t.true(needsFloatingIp(addresses));
});

test('a server on the external network is public there and needs no floating IP; Nodepool records it as private too', (t) => {
  const addresses = serverAddresses(server({ public: [fixed('203.0.113.7')] }), roles, cloud);
  t.like(addresses, { publicIpv4: '203.0.113.7', privateIpv4: '203.0.113.7', interfaceIp: '203.0.113.7' });
  t.false(needsFloatingIp(addresses));
});

test('without Neutron\'s roles: a network named public, else any globally routable address, is public', (t) => {
  const none = { external: new Set<string>(), internal: new Set<string>() };
  t.is(serverAddresses(server({ public: [fixed('10.1.1.1')] }), none, cloud).publicIpv4, '10.1.1.1');
  t.is(serverAddresses(server({ provider: [fixed('10.1.1.1'), fixed('8.8.4.4')] }), none, cloud).publicIpv4, '8.8.4.4');
  t.is(serverAddresses(server({ provider: [fixed('192.168.1.1')] }), none, cloud).publicIpv4, null);
});

test('IPv6: public when it is all there is, unless force_ipv4; accessIPv4 wins', (t) => {
  const v6 = { version: 6, addr: '2001:db8::5', 'OS-EXT-IPS:type': 'fixed' as const };
  t.like(serverAddresses(server({ private: [fixed('10.0.0.5'), v6] }), roles, cloud), { publicIpv6: '2001:db8::5', interfaceIp: '2001:db8::5' });
  t.like(serverAddresses(server({ private: [fixed('10.0.0.5'), v6] }), roles, { private: false, forceIpv4: true }), { publicIpv6: null, interfaceIp: null });
  t.like(serverAddresses(server({ private: [fixed('10.0.0.5')] }, { accessIPv4: '198.51.100.1' }), roles, cloud), { publicIpv4: '198.51.100.1', interfaceIp: '198.51.100.1' });
});

test('a private cloud is reached on the private address', (t) => {
  t.like(serverAddresses(server({ private: [fixed('10.0.0.5'), floating('172.24.4.9')] }), roles, { private: true, forceIpv4: false }), { interfaceIp: '10.0.0.5', publicIpv4: '172.24.4.9' });
});

test('with several interfaces, the private address is the floating IP\'s port\'s', (t) => {
  const addresses = serverAddresses(server({ private: [fixed('10.0.0.5', 'fa:16:3e:00:00:01'), fixed('10.0.1.5', 'fa:16:3e:00:00:02'), floating('172.24.4.9', 'fa:16:3e:00:00:02')] }), roles, cloud);
  t.is(addresses.privateIpv4, '10.0.1.5');
});
