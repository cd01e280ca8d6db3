import { launcherMain } from '../launcher-command.js';

process.exitCode = await launcherMain(process.argv.slice(2));
