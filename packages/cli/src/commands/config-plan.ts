import { relative, resolve } from 'node:path';
import { formatPlan, planConfigChange, type ConfigPlan, type Node } from '@nodepool/core';
import { driversFor, nowOf, withZooKeeper, type CommandContext } from '../cli-context.js';

export interface ConfigPlanOptions {
  /** Print the plan as JSON instead of text. */
  json?: boolean;
}

/** `file` as the user would write it: relative to the working directory when inside it. */
function shown(file: string): string {
  const path = relative(process.cwd(), file);
  return path.startsWith('..') ? file : path;
}

/**
 * `nodepool config-plan NEW`: what a reload with NEW in place of the configuration in use
 * (`-c`) would do, against the nodes in ZooKeeper now: providers, pools, labels and settings
 * added, removed or changed, nodes launched, deleted, (de)registered or left alone, and every
 * problem of NEW. Exit codes as `terraform plan -detailed-exitcode`: 0 no change, 2 changes,
 * 1 an error (NEW not valid, ZooKeeper unreachable).
 */
export async function configPlanCommand(context: CommandContext, newFile: string, options: ConfigPlanOptions): Promise<number> {
  const file = resolve(newFile);
  const plan = await withZooKeeper(context, async (zk, current) => {
    const nodes = (await Promise.all((await zk.getNodeIds()).map((id) => zk.getNode(id)))).filter((node): node is Node => node !== undefined);
    return planConfigChange(file, {
      current,
      nodes,
      now: nowOf(context) * 1000,
      drivers: driversFor(context),
      secureFile: context.options.secure ? resolve(context.options.secure) : undefined,
    });
  });
  const display: ConfigPlan = {
    ...plan,
    currentFile: shown(plan.currentFile),
    newFile: shown(plan.newFile),
    problems: plan.problems.map((problem) => ({ ...problem, message: problem.message.replace(file, shown(file)) })),
  };
  if (options.json) context.output.out(JSON.stringify(display, null, 2));
  else for (const line of formatPlan(display)) context.output.out(line);
  if (!plan.valid) return 1;
  return plan.changes ? 2 : 0;
}
