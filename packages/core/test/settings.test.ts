import test from 'ava';
import { loadSettings } from '@nodepool/core';

test('defaults match the original daemons', (t) => {
  const settings = loadSettings({}, {});
  t.is(settings.config, '/etc/nodepool/nodepool.yaml');
  t.is(settings.secure, null);
  t.deepEqual(settings.statsd, { host: null, port: 8125, prefix: null });
  t.false(settings.foreground);
});

test('statsd comes from STATSD_HOST, STATSD_PORT and STATSD_PREFIX', (t) => {
  const settings = loadSettings({}, { STATSD_HOST: 'graphite.example.com', STATSD_PORT: '9125', STATSD_PREFIX: 'np' });
  t.deepEqual(settings.statsd, { host: 'graphite.example.com', port: 9125, prefix: 'np' });
});

test('command-line values override the environment; unset flags do not', (t) => {
  const settings = loadSettings({ config: '/srv/np.yaml', secure: undefined, web: { port: 9000, listenAddress: undefined } }, { NODEPOOL_SECURE: '/srv/secure.conf', NODEPOOL_WEB_LISTEN_ADDRESS: '127.0.0.1' });
  t.is(settings.config, '/srv/np.yaml');
  t.is(settings.secure, '/srv/secure.conf');
  t.deepEqual(settings.web, { port: 9000, listenAddress: '127.0.0.1' });
});

test('an invalid value is refused with its name', (t) => {
  t.throws(() => loadSettings({}, { STATSD_PORT: 'eighty' }), { message: /statsd\.port/ });
});
