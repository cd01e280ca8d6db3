import { builderMain } from '@nodepool/cli';

process.exitCode = await builderMain(process.argv.slice(2));
