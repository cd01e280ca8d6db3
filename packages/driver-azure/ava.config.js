import { fileURLToPath } from 'node:url';
import base from '../../ava.config.base.js';

export default {
  ...base,
  environmentVariables: {
    ...base.environmentVariables,
    // The fake Azure serves HTTPS (the SDK sends tokens over nothing else) with this test CA;
    // Node.js reads the variable when a process starts, launchers spawned by tests included.
    NODE_EXTRA_CA_CERTS: fileURLToPath(new URL('test/fixtures/tls/ca.pem', import.meta.url)),
  },
};
