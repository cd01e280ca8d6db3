import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig(
  packageBuild({
    index: 'src/index.ts',
    'cloud/index': 'src/cloud/index.ts',
    'bin/nodepool-sim-cloud': 'src/bin/nodepool-sim-cloud.ts',
  }),
);
