import test from 'ava';
import { useZooKeeper } from '@nodepool/testkit';
import { ZooKeeperClient, ZooKeeperConnectError } from '@nodepool/zookeeper';

const zk = useZooKeeper(test, { tls: true });

function tlsClient(t: import('ava').ExecutionContext, tls: ConstructorParameters<typeof ZooKeeperClient>[0]['tls']): ZooKeeperClient {
  const client = new ZooKeeperClient({ servers: zk().connectString, sessionTimeoutMs: 4_000, tls });
  t.teardown(() => client.close());
  return client;
}

test('speaks TLS with a client certificate', async (t) => {
  const { ca, cert, key } = zk().tls!;
  const client = tlsClient(t, { ca, cert, key });
  await client.connect();
  const path = await client.create('/tls-', { data: 'secret', mode: 'ephemeral-sequential' });
  t.is((await client.getData(path)).data.toString(), 'secret');
});

test('a TLS server refuses a client without a certificate', async (t) => {
  const client = tlsClient(t, { ca: zk().tls!.ca });
  const error = await t.throwsAsync(client.connect(3_000), { instanceOf: ZooKeeperConnectError });
  t.true(error.message.includes(zk().connectString));
});

test('a TLS server refuses a certificate from a CA it does not trust', async (t) => {
  const { cert, key } = zk().tls!.untrustedClient;
  const client = tlsClient(t, { ca: zk().tls!.ca, cert, key });
  await t.throwsAsync(client.connect(3_000), { instanceOf: ZooKeeperConnectError });
});

test('the client refuses a server whose certificate its CA did not sign', async (t) => {
  // The untrusted client's certificate is a self-contained CA-less chain: trusting only it
  // must make the server's certificate unverifiable.
  const { cert, key } = zk().tls!;
  const client = tlsClient(t, { ca: zk().tls!.untrustedClient.cert, cert, key });
  const error = await t.throwsAsync(client.connect(3_000), { instanceOf: ZooKeeperConnectError });
  t.regex(error.message, /certificate|self.signed|issuer/i);
});

test('a plain client cannot talk to a TLS port', async (t) => {
  const client = tlsClient(t, undefined);
  await t.throwsAsync(client.connect(3_000), { instanceOf: ZooKeeperConnectError });
});
