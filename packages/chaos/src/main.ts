/**
 * `npm run chaos [-- --quick] [-- --only NAME[,NAME…]] [-- --keep-logs]`
 *
 * Breaks a running Nodepool on purpose, as an operator's bad day would: the built
 * `nodepool-launcher`s on the simulated cloud with real ZooKeeper (TLS, or a three-server
 * ensemble) and Zuul-like clients, under SIGKILLs, ZooKeeper restarts, cloud faults, shared
 * pools, corrupt records and hostile configuration files. Each scenario prints one line of
 * figures; the run ends with a table and exits 1 if any scenario broke an invariant (2 when the
 * run itself could not finish). Never part of `npm test`. scripts/chaos.sh builds first and
 * kills whatever is left of the run's process group when it ends, however it ends.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ChaosContext } from './harness/chaos-context.js';
import { ProcessRegistry } from './harness/processes.js';
import { figuresLine, resultsTable, type ScenarioResult } from './harness/scenario-result.js';
import { scenarios } from './scenarios/index.js';

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    only: { type: 'string' },
    'keep-logs': { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});

if (values.help) {
  console.log(`Usage: npm run chaos [-- --quick] [-- --only NAME[,NAME…]] [-- --keep-logs]

Scenarios:
${scenarios.map((scenario) => `  ${scenario.name.padEnd(22)}${scenario.summary}`).join('\n')}

--quick runs fewer requests and files (about 4 minutes instead of about 15). Logs of every
process are kept when a scenario fails, or always with --keep-logs.`);
  process.exit(0);
}

const wanted = values.only?.split(',').map((name) => name.trim()) ?? [];
const unknown = wanted.filter((name) => !scenarios.some((scenario) => scenario.name === name));
if (unknown.length > 0) {
  console.error(`unknown scenario ${unknown.join(', ')}; known: ${scenarios.map((scenario) => scenario.name).join(', ')}`);
  process.exit(2);
}
const selected = wanted.length > 0 ? scenarios.filter((scenario) => wanted.includes(scenario.name)) : scenarios;

const root = fileURLToPath(new URL('../../..', import.meta.url));
const workDir = await mkdtemp(join(tmpdir(), 'nodepool-chaos-'));
const logDir = join(workDir, 'logs');
await mkdir(logDir);
const registry = new ProcessRegistry(logDir);
const abortCleanups = new Set<() => Promise<unknown> | void>();
const context: ChaosContext = {
  quick: values.quick,
  registry,
  bins: {
    launcher: join(root, 'packages/cli/dist/bin/nodepool-launcher.js'),
    nodepool: join(root, 'packages/cli/dist/bin/nodepool.js'),
    simCloud: join(root, 'packages/driver-sim/dist/bin/nodepool-sim-cloud.js'),
  },
  workDir,
  logDir,
  onAbort(cleanup) {
    abortCleanups.add(cleanup);
    return () => abortCleanups.delete(cleanup);
  },
};

/** Stops everything (bounded), then exits; for Ctrl-C, SIGTERM and the overall deadline. */
let aborting = false;
async function abort(why: string, code: number): Promise<never> {
  if (!aborting) {
    aborting = true;
    console.error(`\nchaos: ${why}; stopping every process it started (logs: ${logDir})`);
    registry.killAll();
    await Promise.race([Promise.allSettled([...abortCleanups].map((cleanup) => cleanup())), new Promise((resolve) => setTimeout(resolve, 15_000))]);
  }
  process.exit(code);
}
process.on('SIGINT', () => void abort('interrupted', 130));
process.on('SIGTERM', () => void abort('terminated', 143));
process.on('SIGHUP', () => void abort('hung up', 129));

// Bounded whatever happens: a scenario that hangs ends the run, with what it has.
const budgetMinutes = values.quick ? 15 : 35;
const budget = setTimeout(() => void abort(`over its ${budgetMinutes}-minute budget`, 2), budgetMinutes * 60_000);
budget.unref();

console.log(`chaos: ${selected.length} scenario${selected.length === 1 ? '' : 's'}${values.quick ? ' (quick)' : ''}; logs in ${logDir}`);
const results: ScenarioResult[] = [];
for (const scenario of selected) {
  console.log(`\n▶ ${scenario.name}: ${scenario.summary}`);
  const started = Date.now();
  let result: ScenarioResult;
  try {
    result = await scenario.run(context);
  } catch (error) {
    result = {
      name: scenario.name,
      fulfilled: 0,
      failed: 0,
      stuck: 0,
      leaked: 0,
      longestWaitMs: NaN,
      daemonsSurvived: false,
      extra: [],
      violations: [`the scenario could not run: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`],
      seconds: 0,
    };
  }
  result.seconds = (Date.now() - started) / 1000;
  results.push(result);
  console.log(figuresLine(result));
  for (const violation of result.violations) console.log(`  ✘ ${violation}`);
}

const failed = results.filter((result) => result.violations.length > 0);
console.log(`\n${resultsTable(results)}\n`);
if (failed.length === 0) {
  console.log(`chaos: every invariant held in ${results.length} scenario${results.length === 1 ? '' : 's'}`);
  if (!values['keep-logs']) await rm(workDir, { recursive: true, force: true });
  else console.log(`logs kept in ${logDir}`);
} else {
  console.log(`chaos: ${failed.length} of ${results.length} scenarios broke invariants (${failed.map((result) => result.name).join(', ')}); logs in ${logDir}`);
}
clearTimeout(budget);
process.exit(failed.length === 0 ? 0 : 1);
