import { resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { ConfigError, connectToZooKeeper, formatIssue, loadConfig, type NodepoolConfig } from '@nodepool/core';
import { AcceptNodesError, NodeRequestGoneError, NodeRequestTimeoutError, ZuulClient, type AcceptedNode } from '@nodepool/zuul-client';
import { ZooKeeperConnectError, type ZooKeeperClient } from '@nodepool/zookeeper';
import { cliDriverRegistry } from '../driver-registry.js';
import { formatTable } from '../format-table.js';
import { CommandFailure, type GlobalOptions, type Output } from '../program.js';

export interface RequestCommandOptions extends GlobalOptions {
  /** Wait for the request to be fulfilled or failed, then take and return the nodes. */
  wait?: boolean;
  /** Seconds to keep the nodes in use (locked) before returning them; implies `wait`. */
  hold?: number;
  /** Seconds to give connecting and waiting, together; default no limit. */
  timeout?: number;
  /** The precedence prefix; default `200`, as Zuul's normal pipelines. */
  priority: string;
  /** Written as the request's tenant (tenant quotas apply). */
  tenant?: string;
  /** Written to `user_data.project_name` of the nodes while in use. */
  project: string;
}

/** Requestor data of the requests this command makes (Zuul puts its job there). */
const JOB_NAME = 'nodepool request';
const PIPELINE_NAME = 'nodepool-cli';

/**
 * `nodepool request LABEL… [--wait] [--hold SECONDS]` (ours; the original has no such command).
 * Submits a node request exactly as Zuul does. Without `--wait` it prints the request ID and
 * leaves the request behind. With `--wait` it acts as Zuul's executor once the request is
 * done: a failed request is deleted (exit 1); a fulfilled one is accepted (nodes locked,
 * request deleted), its nodes listed, marked in use, kept for `--hold` seconds if asked
 * (Ctrl-C ends that early) and returned as used, for the launcher to delete.
 */
export async function requestCommand(labels: readonly string[], options: RequestCommandOptions, output: Output): Promise<number> {
  const config = await loadZooKeeperSettings(options);
  const deadline = options.timeout === undefined ? undefined : Date.now() + options.timeout * 1000;
  const remainingMs = (): number | undefined => (deadline === undefined ? undefined : Math.max(0, deadline - Date.now()));

  let zk: ZooKeeperClient;
  try {
    zk = await connectToZooKeeper(config, { connectTimeoutMs: remainingMs() });
  } catch (error) {
    if (error instanceof ZooKeeperConnectError) throw new CommandFailure(error.message);
    throw error;
  }
  const interrupt = new Interrupt();
  try {
    const zuul = new ZuulClient(zk, { tenant: options.tenant ?? null, pipeline: PIPELINE_NAME });
    const request = await zuul.requestNodes(labels, { priority: options.priority, jobName: JOB_NAME });
    if (!options.wait && options.hold === undefined) {
      output.out(request.id);
      return 0;
    }

    output.err(`Waiting for request ${request.id} (${labels.join(', ')})`);
    let record;
    try {
      record = await zuul.waitForRequest(request, { timeoutMs: remainingMs(), signal: interrupt.signal });
    } catch (error) {
      // Like Zuul when it gives up on a request: delete it, whatever its state.
      await zuul.cancel(request);
      if (interrupt.signal.aborted) {
        output.err(`Interrupted; deleted request ${request.id}`);
        return 130;
      }
      if (error instanceof NodeRequestTimeoutError) {
        throw new CommandFailure(`Request ${request.id} was neither fulfilled nor failed within ${options.timeout} s; deleted it`);
      }
      if (error instanceof NodeRequestGoneError) throw new CommandFailure(`Request ${request.id} was deleted by someone else`);
      throw error;
    }

    if (record.state === 'failed') {
      await zuul.cancel(request);
      const declinedBy = record.declined_by ?? [];
      output.err(`Request ${request.id} failed (declined by ${declinedBy.length > 0 ? declinedBy.join(', ') : 'nobody'})`);
      return 1;
    }

    let nodeSet;
    try {
      nodeSet = await zuul.acceptNodes(request);
    } catch (error) {
      if (error instanceof AcceptNodesError) throw new CommandFailure(error.message);
      throw error;
    }
    let exitCode = 0;
    try {
      const rows = nodeSet.nodes.map(nodeRow);
      for (const line of formatTable(['NODE', 'LABEL', 'INTERFACE IP', 'PORT', 'USERNAME', 'CONNECTION'], rows)) output.out(line);
      await zuul.useNodes(nodeSet, { projectName: options.project });
      if (options.hold) {
        const until = new Date(Date.now() + options.hold * 1000);
        output.err(`Holding the nodes in use until ${until.toISOString()} (Ctrl-C releases them early)`);
        await delay(options.hold * 1000, undefined, { signal: interrupt.signal }).catch(() => undefined);
        if (interrupt.signal.aborted) output.err('Interrupted; releasing the nodes early');
      }
    } finally {
      const returned = await zuul.returnNodes(nodeSet);
      for (const { nodeId, error } of returned.errors) output.err(`Node ${nodeId} could not be returned: ${error.message}`);
      if (returned.errors.length > 0) exitCode = 1;
      else output.err(`Returned ${nodeSet.nodeIds.join(', ')} as used`);
    }
    return exitCode;
  } finally {
    interrupt.dispose();
    await zk.close();
  }
}

/** `zookeeper-servers`, `-tls` and `-timeout` of the configuration (secure file applied). */
async function loadZooKeeperSettings(options: GlobalOptions): Promise<NodepoolConfig> {
  const file = resolve(options.config);
  try {
    return await loadConfig(file, { drivers: cliDriverRegistry(file), secureFile: options.secure ? resolve(options.secure) : undefined });
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    const [first, ...others] = error.issues;
    const more = others.length > 0 ? ` (and ${others.length} more; "nodepool config-validate" lists them all)` : '';
    throw new CommandFailure(`${first ? formatIssue(first) : `${file}: the configuration is not valid`}${more}`);
  }
}

/** Node, label, interface IP, port, username, connection type; `-` where there is nothing. */
function nodeRow(node: AcceptedNode): string[] {
  const record = node.record;
  // Readers' defaults (spec §6.2): port from ssh_port, else 22; username "zuul" when absent.
  const port = record.connection_port === undefined ? (record.ssh_port ?? 22) : record.connection_port;
  const username = record.username === undefined ? 'zuul' : record.username;
  return [
    node.id,
    node.label,
    record.interface_ip ?? '-',
    typeof port === 'number' ? String(port) : '-',
    username ?? '-',
    record.connection_type ?? '-',
  ];
}

/**
 * SIGINT and SIGTERM while the command runs: the first aborts `signal` (the command then
 * cleans up: deletes its request or returns its nodes); a second one is left to Node, which
 * ends the process.
 */
class Interrupt {
  private readonly controller = new AbortController();
  private readonly onSignal = (signal: NodeJS.Signals): void => {
    if (!this.controller.signal.aborted) {
      this.controller.abort(new Error(`interrupted by ${signal}`));
      return;
    }
    this.dispose();
    process.kill(process.pid, signal);
  };

  constructor() {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  dispose(): void {
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
  }
}
