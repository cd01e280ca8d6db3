import type { ChaosContext } from '../harness/chaos-context.js';
import type { ScenarioResult } from '../harness/scenario-result.js';

/** One chaos scenario: sets up its own cluster, does its damage, and reports its figures. */
export interface Scenario {
  /** For `--only`, and the first column of the table. */
  readonly name: string;
  /** What it does, in a line (printed before it runs). */
  readonly summary: string;
  run(context: ChaosContext): Promise<ScenarioResult>;
}
