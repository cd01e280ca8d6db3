import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    'testing/index': 'src/testing/index.ts',
    'bin/nodepool-fake-ibmvpc': 'src/bin/nodepool-fake-ibmvpc.ts',
  }),
);
