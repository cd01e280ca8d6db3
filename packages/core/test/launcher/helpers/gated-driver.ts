import type { Driver, LaunchContext, Node } from '@nodepool/core';
import { createFakeDriver } from '@nodepool/core/testing';
import { rootLogger } from '@nodepool/core';

/** One launch the gate holds: the node, its abort signal, and how it ended. */
export interface GatedLaunch {
  readonly node: Node;
  readonly signal: AbortSignal;
  /** Lets it finish: the node becomes ready. */
  release(): void;
  outcome: 'held' | 'released' | 'aborted';
}

/**
 * The fake driver with launches a test holds at an exact point (after the launch's first
 * write, the cloud ID) and lets go of, or sees aborted. Node deletions are recorded.
 */
export function gatedDriver(name = 'fakecloud'): { driver: Driver; launches: GatedLaunch[]; deleted: string[]; releaseAll(): void; open(): void } {
  const { driver, cloud } = createFakeDriver(name);
  const launches: GatedLaunch[] = [];
  let opened = false;
  const launch = async (node: Node, context: LaunchContext): Promise<void> => {
    node.externalId = `gate-${node.id}`;
    await context.store();
    await new Promise<void>((resolve, reject) => {
      const entry: GatedLaunch = {
        node,
        signal: context.signal,
        outcome: 'held',
        release: () => {
          if (entry.outcome !== 'held') return;
          entry.outcome = 'released';
          resolve();
        },
      };
      const abort = (): void => {
        if (entry.outcome !== 'held') return;
        entry.outcome = 'aborted';
        reject(new Error('launch aborted'));
      };
      launches.push(entry);
      if (opened) entry.release();
      else if (context.signal.aborted) abort();
      else context.signal.addEventListener('abort', abort, { once: true });
    });
    node.interfaceIp = '127.0.0.1';
    node.hostKeys = ['ssh-ed25519 AAAAgated'];
    node.connectionType = 'ssh';
    node.username = 'zuul';
    node.pythonPath = 'auto';
  };
  const gated: Driver = {
    ...driver,
    createProvider: (config, context) => {
      const provider = driver.createProvider!(config, context);
      return { ...provider, getRequestHandler: () => ({ launch }) };
    },
  };
  return {
    driver: gated,
    launches,
    deleted: cloud.deleted,
    releaseAll: () => {
      for (const entry of launches) entry.release();
    },
    /** Releases every held launch, and lets every later one through at once. */
    open: () => {
      opened = true;
      for (const entry of launches) entry.release();
    },
  };
}

/** One logged line with its fields. */
export interface LogEntry {
  level: string;
  message: unknown;
  [field: string]: unknown;
}

/** Calls `listener` with every log entry from info up, from now on (the console keeps its level). */
function onLogEntry(listener: (entry: LogEntry) => void): void {
  const root = rootLogger();
  for (const transport of root.transports) transport.level ??= root.level;
  root.level = 'info';
  root.on('data', listener);
}

/** Every log line from info up, as `LEVEL message`, from now on. */
export function captureLogLines(): string[] {
  const lines: string[] = [];
  onLogEntry((entry) => lines.push(`${entry.level.toUpperCase()} ${String(entry.message)}`));
  return lines;
}

/** Every log entry from info up, fields included, from now on. */
export function captureLogEntries(): LogEntry[] {
  const entries: LogEntry[] = [];
  onLogEntry((entry) => entries.push({ ...entry }));
  return entries;
}
