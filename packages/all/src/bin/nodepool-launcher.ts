import { launcherMain } from '@nodepool/cli';

process.exitCode = await launcherMain(process.argv.slice(2));
