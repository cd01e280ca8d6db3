import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startLoggedProcess } from './bench-tools.js';
import type { LauncherBenchScenario } from './launcher-bench.js';

/*
 * The opening every launcher benchmark against a fake cloud in its own process shares: where the
 * built launcher and the driver's fake command are, the standard scenarios (one node unloaded,
 * one and three nodes at concurrency 50, and slow boots), and starting the fake on a free port.
 * The benchmark keeps its cloud's own part: the fake's arguments, credentials and provider.
 */

/** A scenario whose fake cloud may keep new machines booting for a while. */
export interface BootDelayScenario extends LauncherBenchScenario {
  /** How long machines stay booting in the fake. */
  readonly bootDelayMs?: number;
}

/**
 * The built `nodepool-launcher` and the driver's fake command (`nodepool-fake-<cloud>`), as
 * deployed (scripts/bench.sh builds first), from the benchmark file's `import.meta.url`.
 */
export function cloudBenchBins(benchUrl: string, fakeCommand: string): { launcherBin: string; fakeBin: string } {
  const here = fileURLToPath(new URL('.', benchUrl));
  return {
    launcherBin: join(here, '..', '..', 'cli', 'dist', 'bin', 'nodepool-launcher.js'),
    fakeBin: join(here, '..', 'dist', 'bin', `${fakeCommand}.js`),
  };
}

/** The standard scenarios; `machines` names what boots slowly in the last one (`VMs`). */
export function bootDelayScenarios(machines = 'instances'): BootDelayScenario[] {
  return [
    { name: '1-node, concurrency 1 (unloaded)', labels: ['small'], concurrency: 1, requests: 100 },
    { name: '1-node, concurrency 50', labels: ['small'], concurrency: 50, requests: 1000 },
    { name: '3-node, concurrency 50', labels: ['small', 'small', 'small'], concurrency: 50, requests: 400 },
    { name: `1-node, concurrency 50, ${machines} boot in 2 s`, labels: ['small'], concurrency: 50, requests: 500, bootDelayMs: 2_000 },
  ];
}

/**
 * Starts a fake cloud command on a free port (`--port 0`), its machines booting in the
 * scenario's delay, with `args` of its own; waits for its "listening on <url>" line.
 */
export async function startFakeCloudProcess(options: { name: string; fakeBin: string; scenario: BootDelayScenario; logDir: string; args?: readonly string[] }): Promise<{ url: string; child: ChildProcess }> {
  const args = ['--port', '0', '--boot-delay-ms', String(options.scenario.bootDelayMs ?? 0), ...(options.args ?? [])];
  const fake = await startLoggedProcess({ name: options.name, script: options.fakeBin, args, ready: /listening on https?:\/\/\S+/, logDir: options.logDir });
  return { url: /listening on (https?:\/\/\S+)/.exec(fake.line)![1]!, child: fake.child };
}
