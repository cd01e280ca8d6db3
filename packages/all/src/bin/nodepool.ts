import { main } from '@nodepool/cli';

process.exitCode = await main(process.argv.slice(2));
