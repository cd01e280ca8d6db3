import { randomUUID } from 'node:crypto';
import test from 'ava';
import { findFreePort, useZooKeeper } from '@nodepool/testkit';
import { ZooKeeperConnectError } from '@nodepool/zookeeper';
import { connectToZooKeeper, zooKeeperConnectString, zooKeeperTlsOptions } from '@nodepool/core';
import { files } from '../helpers/files.js';

const zk = useZooKeeper(test);

test('the connect string lists every server and ends with the chroot once', (t) => {
  t.is(zooKeeperConnectString([{ host: 'zk1', port: 2281 }]), 'zk1:2281');
  t.is(
    zooKeeperConnectString([
      { host: 'zk1', port: 2281, chroot: '/nodepool' },
      { host: '::1', port: 2181 },
      { host: 'zk3', port: 2281, chroot: '/nodepool' },
    ]),
    'zk1:2281,[::1]:2181,zk3:2281/nodepool',
  );
});

test('servers naming different chroots, or none at all, are refused', (t) => {
  t.throws(() => zooKeeperConnectString([]), { message: /no zookeeper-servers/ });
  t.throws(
    () => zooKeeperConnectString([{ host: 'a', port: 1, chroot: '/one' }, { host: 'b', port: 1, chroot: '/two' }]),
    { message: 'zookeeper-servers name different chroots (/one, /two); a connection has one chroot' },
  );
  t.throws(() => zooKeeperConnectString([{ host: 'a', port: 1, chroot: 'nodepool' }]), { message: /must start with "\/"/ });
});

test('without zookeeper-tls the connection is plain, and partial TLS settings are refused', async (t) => {
  t.is(await zooKeeperTlsOptions(undefined), undefined);
  await t.throwsAsync(zooKeeperTlsOptions({ ca: '/ca.pem', cert: '/cert.pem' }), { message: 'zookeeper-tls needs ca, cert and key; missing: key' });
  await t.throwsAsync(zooKeeperTlsOptions({ ca: '/nonexistent/ca.pem', cert: '/c', key: '/k' }), { message: /^cannot read the zookeeper-tls ca file \/nonexistent\/ca\.pem: / });
});

test('the zookeeper-tls files are read into the client\'s ca, cert and key', async (t) => {
  const paths = await files(t, { 'ca.pem': 'CA PEM', 'client.pem': 'CERT PEM', 'client-key.pem': 'KEY PEM' });
  const options = (await zooKeeperTlsOptions({ ca: paths['ca.pem'], cert: paths['client.pem'], key: paths['client-key.pem'] }))!;
  t.deepEqual({ ca: options.ca, cert: options.cert, key: options.key }, { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' });
  // Like kazoo, the CA is checked but not the server's host name.
  t.is(options.checkServerIdentity!('zk.example.com', {} as never), undefined);
});

test('connects with the configured session timeout, into the chroot', async (t) => {
  const chroot = `/test-${randomUUID()}`;
  const client = await connectToZooKeeper({
    zookeeperServers: [{ host: '127.0.0.1', port: zk().port, chroot }],
    zookeeperTls: undefined,
    zookeeperTimeout: 6,
  });
  t.teardown(() => client.close());
  t.is(client.chroot, chroot);
  t.is(client.session?.timeoutMs, 6_000);
  await client.mkdirp('/nodepool');
  t.truthy(await client.exists('/nodepool'));
});

test('an unreachable server fails within the connect timeout, naming the server tried', async (t) => {
  const port = await findFreePort();
  const error = await t.throwsAsync(
    connectToZooKeeper({ zookeeperServers: [{ host: '127.0.0.1', port }], zookeeperTls: undefined, zookeeperTimeout: 10 }, { connectTimeoutMs: 300 }),
    { instanceOf: ZooKeeperConnectError },
  );
  t.regex(error.message, new RegExp(`within 300 ms \\(tried 127\\.0\\.0\\.1:${port}\\)`));
});
