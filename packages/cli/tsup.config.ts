import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig({
  ...packageBuild({ index: 'src/index.ts', 'bin/nodepool': 'src/bin/nodepool.ts', 'bin/nodepool-launcher': 'src/bin/nodepool-launcher.ts', 'bin/nodepool-builder': 'src/bin/nodepool-builder.ts' }),
  banner: { js: '#!/usr/bin/env node' },
});
