import test from 'ava';
import { formatServer, parseConnectString } from '@nodepool/zookeeper';

test('parses hosts, default ports and a chroot', (t) => {
  t.deepEqual(parseConnectString('zk1:2281,zk2,zk3:2182/nodepool/prod'), {
    servers: [
      { host: 'zk1', port: 2281 },
      { host: 'zk2', port: 2181 },
      { host: 'zk3', port: 2182 },
    ],
    chroot: '/nodepool/prod',
  });
});

test('parses bracketed IPv6 hosts and formats them back', (t) => {
  const { servers } = parseConnectString('[::1]:2281,[fe80::1]');
  t.deepEqual(servers, [
    { host: '::1', port: 2281 },
    { host: 'fe80::1', port: 2181 },
  ]);
  t.is(formatServer(servers[0]!), '[::1]:2281');
});

test('a lone slash is no chroot', (t) => {
  t.is(parseConnectString('zk:2181/').chroot, '');
});

test('rejects empty host lists, bad ports and bad chroots with the culprit in the message', (t) => {
  t.throws(() => parseConnectString('/chroot'), { message: /names no server/ });
  t.throws(() => parseConnectString('zk:99999'), { message: /bad port in "zk:99999"/ });
  t.throws(() => parseConnectString('zk:abc'), { message: /bad server "zk:abc"/ });
  t.throws(() => parseConnectString('zk/a//b'), { message: /empty path component/ });
});
