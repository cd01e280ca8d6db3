export { buildProgram, main, CommandFailure, consoleOutput, type GlobalOptions, type Output } from './program.js';
