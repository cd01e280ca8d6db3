import type { ProcessRegistry } from './processes.js';

/** The built commands a chaos run drives. */
export interface ChaosBins {
  launcher: string;
  nodepool: string;
  simCloud: string;
}

/** What every scenario gets from the runner. */
export interface ChaosContext {
  /** `--quick`: fewer requests and files, shorter outages' aftermath. */
  readonly quick: boolean;
  readonly registry: ProcessRegistry;
  readonly bins: ChaosBins;
  /** Configuration files and other scratch files. */
  readonly workDir: string;
  /** Every process's output. */
  readonly logDir: string;
  /**
   * Registers a cleanup for an aborted run (Ctrl-C, the overall deadline); the runner awaits
   * them all, a few seconds at most, before it exits. Returns a function that unregisters it.
   */
  onAbort(cleanup: () => Promise<unknown> | void): () => void;
}
