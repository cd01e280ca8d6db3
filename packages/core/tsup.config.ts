import { readFileSync } from 'node:fs';
import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.config.base.js';

export default defineConfig({
  ...packageBuild({ index: "src/index.ts", "testing/index": "src/testing/index.ts" }),
  // The dashboard page goes into the bundle, so dist/ needs no files beside it (see src/web/dashboard-page.ts).
  define: { __NODEPOOL_DASHBOARD_HTML__: JSON.stringify(readFileSync(new URL('./src/web/dashboard.html', import.meta.url), 'utf8')) },
});
