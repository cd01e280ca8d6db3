import { builderMain } from '../builder-command.js';

process.exitCode = await builderMain(process.argv.slice(2));
