import test from 'ava';
import { renderZooKeeperConfig } from '../src/zookeeper-config.js';

const base = { dataDir: '/tmp/zk/data', clientPort: 2181, tickTimeMs: 200 };

test('a plain server listens on 127.0.0.1 and allows every four letter word', (t) => {
  const config = renderZooKeeperConfig(base);
  t.regex(config, /^clientPort=2181$/m);
  t.regex(config, /^clientPortAddress=127\.0\.0\.1$/m);
  t.regex(config, /^4lw\.commands\.whitelist=\*$/m);
  t.regex(config, /^admin\.enableServer=false$/m);
  t.regex(config, /^tickTime=200$/m);
  t.notRegex(config, /SessionTimeout/);
});

test('a TLS server has a secure client port and no plain one', (t) => {
  const config = renderZooKeeperConfig({
    ...base,
    tls: { keyStoreFile: '/k.p12', trustStoreFile: '/t.p12', password: 'pw' },
  });
  t.regex(config, /^secureClientPort=2181$/m);
  t.notRegex(config, /^clientPort=/m);
  t.regex(config, /^serverCnxnFactory=org\.apache\.zookeeper\.server\.NettyServerCnxnFactory$/m);
  t.regex(config, /^ssl\.keyStore\.location=\/k\.p12$/m);
  t.regex(config, /^ssl\.trustStore\.location=\/t\.p12$/m);
  t.notRegex(config, /clientAuth/);
});

test('an ensemble member lists every server and its limits', (t) => {
  const config = renderZooKeeperConfig({
    ...base,
    minSessionTimeoutMs: 400,
    maxSessionTimeoutMs: 4000,
    ensemble: {
      initLimit: 50,
      syncLimit: 10,
      peers: [
        { id: 1, peerPort: 3001, electionPort: 4001 },
        { id: 2, peerPort: 3002, electionPort: 4002 },
      ],
    },
  });
  t.regex(config, /^server\.1=127\.0\.0\.1:3001:4001\nserver\.2=127\.0\.0\.1:3002:4002$/m);
  t.regex(config, /^initLimit=50$/m);
  t.regex(config, /^syncLimit=10$/m);
  t.regex(config, /^minSessionTimeout=400$/m);
  t.regex(config, /^maxSessionTimeout=4000$/m);
});
