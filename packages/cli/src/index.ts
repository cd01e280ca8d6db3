export { buildProgram, main, CommandFailure, consoleOutput, type GlobalOptions, type Output } from './program.js';
export type { MainOptions } from './cli-context.js';
export { launcherMain } from './launcher-command.js';
export { builderMain } from './builder-command.js';
