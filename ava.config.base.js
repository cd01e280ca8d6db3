// Shared ava settings: every package runs its TypeScript tests straight from source.
// The "source" condition makes @nodepool/* imports resolve to src/ instead of dist/.
export default {
  files: ['test/**/*.test.ts'],
  extensions: { ts: 'module' },
  nodeArguments: ['--import=tsx', '--conditions=source'],
  timeout: '2m',
  workerThreads: false,
  // Expected warnings (corrupt records, lost connections) would drown the test output.
  environmentVariables: { NODEPOOL_LOG_LEVEL: process.env.NODEPOOL_LOG_LEVEL ?? 'error' },
};
