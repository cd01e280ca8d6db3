import { resolve } from 'node:path';
import { ConfigError, connectToZooKeeper, formatIssue, loadConfig, NodepoolZooKeeper, type DriverResolver, type NodepoolConfig } from '@nodepool/core';
import { ZooKeeperConnectError } from '@nodepool/zookeeper';
import { cliDriverRegistry } from './driver-registry.js';
import { CommandFailure, type GlobalOptions, type Output } from './program-types.js';

/** What the program lets tests replace. */
export interface MainOptions {
  /** Drivers for a configuration file; default: installed driver packages. */
  readonly drivers?: (configFile: string) => DriverResolver;
  /** The clock ages are measured to, in epoch seconds; default the system clock. */
  readonly now?: () => number;
}

/** Everything a command needs: the global options, where to print, the replaceable parts. */
export interface CommandContext {
  readonly options: GlobalOptions;
  readonly output: Output;
  readonly main: MainOptions;
}

/** The driver registry for the command's configuration file. */
export function driversFor(context: CommandContext): DriverResolver {
  const file = resolve(context.options.config);
  return (context.main.drivers ?? cliDriverRegistry)(file);
}

/** Loads nodepool.yaml (secure file applied); an invalid one fails with its first problem. */
export async function loadNodepoolConfig(context: CommandContext): Promise<NodepoolConfig> {
  const file = resolve(context.options.config);
  try {
    return await loadConfig(file, { drivers: driversFor(context), secureFile: context.options.secure ? resolve(context.options.secure) : undefined });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [first, ...others] = error.issues;
    const more = others.length > 0 ? ` (and ${others.length} more; "nodepool config-validate" lists them all)` : '';
    throw new CommandFailure(`${first ? formatIssue(first) : `${file}: the configuration is not valid`}${more}`);
  }
}

/**
 * Loads the configuration, connects to its ZooKeeper (giving up after twice the session
 * timeout, at least 5 s, with the servers tried named) and runs `action`; the connection is
 * closed afterwards whatever happens.
 */
export async function withZooKeeper<T>(context: CommandContext, action: (zk: NodepoolZooKeeper, config: NodepoolConfig) => Promise<T>): Promise<T> {
  const config = await loadNodepoolConfig(context);
  let client;
  try {
    client = await connectToZooKeeper(config);
  } catch (error) {
    if (error instanceof ZooKeeperConnectError) throw new CommandFailure(`cannot reach ZooKeeper: ${error.message}`);
    throw new CommandFailure(error instanceof Error ? error.message : String(error));
  }
  const zk = new NodepoolZooKeeper(client);
  try {
    return await action(zk, config);
  } finally {
    await zk.stop();
    await client.close();
  }
}

/** Epoch seconds now, by the context's clock. */
export function nowOf(context: CommandContext): number {
  return context.main.now?.() ?? Date.now() / 1000;
}
