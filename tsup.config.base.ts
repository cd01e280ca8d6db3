import type { Options } from 'tsup';

/** Shared tsup settings: ESM with type declarations, one entry per public subpath. */
export function packageBuild(entry: Record<string, string>): Options {
  return {
    entry,
    format: ['esm'],
    target: 'node20',
    platform: 'node',
    dts: true,
    sourcemap: true,
    clean: true,
    splitting: true,
  };
}
