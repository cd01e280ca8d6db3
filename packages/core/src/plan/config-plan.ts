import { readFile } from 'node:fs/promises';
import { formatIssue, type ConfigIssue } from '../config/issues.js';
import { validateConfig, type LoadConfigOptions } from '../config/load-config.js';
import type { NodepoolConfig } from '../config/nodepool-config.js';
import { isMapping } from '../config/schema.js';
import { substituteEnvironment, YamlSource } from '../config/yaml-source.js';
import type { Node } from '../zk/node.js';
import { diffMappings, isEmptyDiff, type ConfigDiff } from './config-diff.js';
import type { NodeEffect } from './node-effect.js';
import { planNodeEffects, type RegisteredNodesPlanner } from './node-effects.js';

/** A problem of the new file, as `nodepool config-validate` reports it. */
export interface PlanProblem {
  /** `error`: config-validate rejects the file; `load-error`: the launcher refuses it too. */
  readonly level: 'error' | 'load-error' | 'warning';
  readonly issue: ConfigIssue;
  /** `file:line key.path: message` */
  readonly message: string;
}

/** What a reload of the launcher with a new configuration file would do. */
export interface ConfigPlan {
  readonly currentFile: string;
  readonly newFile: string;
  /** config-validate's verdict on the new file. */
  readonly valid: boolean;
  /**
   * Whether a running launcher would apply the new file: it has no problem but those only the
   * original's validator cares about. When false, a reload keeps the configuration in force
   * and `diff` and `nodes` are empty.
   */
  readonly loadable: boolean;
  readonly problems: readonly PlanProblem[];
  /** Providers, pools, labels and settings added, removed or changed, as written. */
  readonly diff: ConfigDiff;
  /** What happens to nodes. */
  readonly nodes: readonly NodeEffect[];
  /** Whether the reload changes anything (the configuration or nodes). */
  readonly changes: boolean;
}

export interface PlanConfigOptions extends LoadConfigOptions {
  /** The configuration in force (the launcher's `-c` file), already loaded. */
  readonly current: NodepoolConfig;
  /** Every node in ZooKeeper now. */
  readonly nodes: readonly Node[];
  /** Epoch milliseconds now; default the system clock. */
  readonly now?: number;
}

/**
 * Plans a reload: validates `newFile` as config-validate does, compares it with the
 * configuration in force as written, and says what the launcher would do to the nodes.
 * Never throws for bad input: problems of the new file are in the plan.
 */
export async function planConfigChange(newFile: string, options: PlanConfigOptions): Promise<ConfigPlan> {
  const { current, nodes } = options;
  const now = options.now ?? Date.now();
  const validation = await validateConfig(newFile, options);
  const problems: PlanProblem[] = [
    ...validation.errors.map((issue) => ({ level: 'error' as const, issue, message: formatIssue(issue) })),
    ...validation.loadErrors.map((issue) => ({ level: 'load-error' as const, issue, message: formatIssue(issue) })),
    ...validation.warnings.map((issue) => ({ level: 'warning' as const, issue, message: formatIssue(issue) })),
  ];
  const base = { currentFile: current.file, newFile, valid: validation.errors.length === 0, problems };
  const next = validation.config;
  if (!next) return { ...base, loadable: false, diff: { settings: [], entries: [] }, nodes: [], changes: false };

  const readText = options.readText ?? ((path: string) => readFile(path, 'utf8'));
  const env = options.env ?? process.env;
  const diff = diffMappings(await writtenData(current.file, readText, env), await writtenData(newFile, readText, env));
  const registered = await registeredPlanners(current, next, options);
  const effects = planNodeEffects({ current, next, nodes, now, registered });
  return { ...base, loadable: true, diff, nodes: effects, changes: !isEmptyDiff(diff) || effects.length > 0 };
}

/** A file's data as written (after `%(NODEPOOL_…)` substitution), numbers as plain numbers. */
async function writtenData(file: string, readText: (file: string) => Promise<string>, env: NodeJS.ProcessEnv): Promise<Record<string, unknown>> {
  const data = plain(YamlSource.parse(file, substituteEnvironment(await readText(file), env)).data);
  return isMapping(data) ? data : {};
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(plain);
  if (isMapping(value)) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, plain(item)]));
  return value;
}

/** The drivers' own planners for providers on either side whose driver has one. */
async function registeredPlanners(current: NodepoolConfig, next: NodepoolConfig, options: LoadConfigOptions): Promise<Map<string, RegisteredNodesPlanner>> {
  const planners = new Map<string, RegisteredNodesPlanner>();
  for (const provider of [...current.providers.values(), ...next.providers.values()]) {
    if (planners.has(provider.name)) continue;
    const driver = await options.drivers.resolve(provider.driver).catch(() => undefined);
    if (driver?.planRegisteredNodes) planners.set(provider.name, driver.planRegisteredNodes.bind(driver));
  }
  return planners;
}
