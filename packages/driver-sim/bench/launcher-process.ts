/**
 * One launcher in a process of its own, for the benchmark: `launcher-process.ts CONFIG HOSTNAME`.
 * Prints "started <ms>" once serving; SIGTERM stops it.
 */
import { DriverRegistry, Launcher } from '@nodepool/core';
import simDriver from '@nodepool/driver-sim';
import staticDriver from '@nodepool/driver-static';

const [configFile, hostname] = process.argv.slice(2);
const t0 = performance.now();
const launcher = new Launcher({
  configFile: configFile!,
  hostname: hostname!,
  drivers: DriverRegistry.of(simDriver as never, staticDriver),
  env: {},
  timings: { listingIntervalMs: 250 },
});
await launcher.start();
process.stdout.write(`started ${Math.round(performance.now() - t0)}\n`);
process.on('SIGTERM', () => void launcher.stop().then(() => process.exit(0)));
