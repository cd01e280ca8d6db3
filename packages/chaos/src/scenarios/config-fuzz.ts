import { spawn } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Cluster } from '../harness/cluster.js';
import type { ChaosContext } from '../harness/chaos-context.js';
import { hostileFiles, mutatedFiles, type FuzzFile } from '../harness/hostile-yaml.js';
import { waitForLogLine } from '../harness/processes.js';
import { runLoad } from '../harness/run-load.js';
import type { Scenario } from './scenario.js';

/** A line of a Node.js stack trace. */
const STACK_LINE = /^\s+at (?:.+ \()?(?:file:|node:|\/).+:\d+(?::\d+)?\)?$/m;

interface Validation {
  file: FuzzFile;
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  output: string;
  ms: number;
}

/**
 * Hostile and mutated YAML, first through `nodepool config-validate` (it must exit 0 or 1, say
 * file:line for each problem, and never print a stack trace), then written one by one over the
 * configuration of a running launcher that serves requests all along: it must keep running on
 * the configuration in force, and still apply a good file at the end (issue 13, part 2).
 */
export const configFuzz: Scenario = {
  name: 'config-fuzz',
  summary: 'hostile and mutated YAML through config-validate and as live reloads of a serving launcher',
  async run(context) {
    const cluster = await Cluster.start(context, this.name, { zookeeper: 'tls', simCloudArgs: ['--boot-delay-ms', '200'] });
    try {
      const configFile = join(context.workDir, 'config-fuzz-live.yaml');
      const valid = cluster.configText({ pools: [{ name: 'main', maxServers: 20 }] });
      await writeFile(configFile, valid);
      const hostile = hostileFiles(valid);
      const files = [...(context.quick ? hostile.filter((_, index) => index % 3 === 0) : hostile), ...mutatedFiles(valid, context.quick ? 12 : 60, 4711)];

      // 1. config-validate, two at a time.
      const validations = await validateAll(context, files);
      const violations: string[] = [];
      for (const validation of validations) violations.push(...judgeValidation(validation));
      const rejected = validations.filter((validation) => validation.exitCode === 1);
      const slowest = validations.reduce((worst, validation) => (validation.ms > worst.ms ? validation : worst));
      const withLines = rejected.filter((validation) => /:\d+ /.test(validation.output)).length;

      // 2. Live reloads of the files config-validate rejected, under load.
      const launcher = await cluster.startLauncher(configFile);
      const reloads = { noticed: 0, applied: 0 };
      const result = await runLoad(cluster, this.name, { total: 100_000, concurrency: 4 }, async (load) => {
        try {
          for (const validation of rejected) {
            if (!launcher.running) break;
            const offset = (await stat(launcher.logFile)).size;
            await writeFile(configFile, validation.file.data);
            const line = await waitForLogLine(launcher.logFile, /configuration is not valid|configuration reloaded/, { child: undefined, fromOffset: offset, timeoutMs: 60_000 }).catch(() => undefined);
            if (line === undefined) continue;
            reloads.noticed++;
            if (/configuration reloaded/.test(line)) {
              reloads.applied++;
              violations.push(`the launcher applied a file config-validate rejects: ${validation.file.name}`);
            }
          }
          // A good change must still be applied: the watcher survived the abuse.
          if (launcher.running) {
            const offset = (await stat(launcher.logFile)).size;
            await writeFile(configFile, cluster.configText({ pools: [{ name: 'main', maxServers: 19 }] }));
            const applied = await waitForLogLine(launcher.logFile, /configuration reloaded/, { fromOffset: offset, timeoutMs: 60_000 }).catch(() => undefined);
            if (!applied) violations.push('after the hostile files, a valid change (max-servers 20 → 19) was not applied within 60 s');
          }
        } finally {
          load.stop();
        }
        return {
          extra: [
            `config-validate: ${validations.length} files, ${rejected.length} rejected (${withLines} with line numbers), slowest ${(slowest.ms / 1000).toFixed(1)} s (${slowest.file.name})`,
            `live reloads: ${reloads.noticed}/${rejected.length} noticed, ${reloads.applied} applied`,
          ],
          violations,
        };
      });
      return result;
    } finally {
      await cluster.destroy();
    }
  },
};

async function validateAll(context: ChaosContext, files: readonly FuzzFile[]): Promise<Validation[]> {
  const results: Validation[] = [];
  let next = 0;
  await Promise.all(
    [0, 1].map(async (worker) => {
      while (next < files.length) {
        const index = next++;
        const file = files[index]!;
        const path = join(context.workDir, `fuzz-${worker}.yaml`);
        await writeFile(path, file.data);
        results[index] = await validate(context, file, path);
      }
    }),
  );
  return results;
}

/** `nodepool -c FILE config-validate`, killed after two minutes. */
function validate(context: ChaosContext, file: FuzzFile, path: string): Promise<Validation> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [context.bins.nodepool, '-c', path, 'config-validate'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    child.once('error', reject);
    child.once('close', (exitCode, signal) => {
      clearTimeout(timer);
      resolve({ file, exitCode, signal, output: output.replaceAll(path, '<file>'), ms: Date.now() - started });
    });
  });
}

/** What is wrong with how config-validate answered one file. */
function judgeValidation(validation: Validation): string[] {
  const what = `config-validate on "${validation.file.name}"`;
  if (validation.signal) return [`${what} was killed by ${validation.signal} (hung for two minutes, or crashed)`];
  const problems: string[] = [];
  if (validation.exitCode !== 0 && validation.exitCode !== 1) problems.push(`${what} exited with ${validation.exitCode}: ${firstLines(validation.output)}`);
  if (STACK_LINE.test(validation.output)) problems.push(`${what} printed a stack trace: ${firstLines(validation.output)}`);
  if (validation.exitCode === 1) {
    const lines = validation.output.split('\n').filter((line) => line.trim() !== '');
    const unnamed = lines.filter((line) => !line.startsWith('<file>'));
    if (lines.length === 0) problems.push(`${what} exited 1 without saying why`);
    else if (unnamed.length > 0) problems.push(`${what} printed problems without the file: ${firstLines(unnamed.join('\n'))}`);
  }
  return problems;
}

function firstLines(text: string): string {
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  return JSON.stringify(lines.slice(0, 3).join(' | ').slice(0, 300));
}
