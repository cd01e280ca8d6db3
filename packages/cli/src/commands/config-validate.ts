import { resolve } from 'node:path';
import { formatIssue, validateConfig } from '@nodepool/core';
import { cliDriverRegistry } from '../driver-registry.js';
import type { GlobalOptions, Output } from '../program.js';

/**
 * `nodepool config-validate`: the original's verdict (exit 0 valid, 1 invalid) with every
 * problem on its own line as `file:line key.path: message`. Problems the original's validator
 * does not check but its daemons refuse to load are listed too, marked, without changing the
 * verdict.
 */
export async function configValidateCommand(options: GlobalOptions, output: Output): Promise<number> {
  const file = resolve(options.config);
  const result = await validateConfig(file, {
    drivers: cliDriverRegistry(file),
    secureFile: options.secure ? resolve(options.secure) : undefined,
  });
  const shown = (path: string | undefined): string | undefined => path && (path.startsWith(`${process.cwd()}/`) ? path.slice(process.cwd().length + 1) : path);
  for (const issue of result.errors) output.out(formatIssue({ ...issue, file: shown(issue.file) }));
  for (const issue of result.loadErrors) output.out(`${formatIssue({ ...issue, file: shown(issue.file) })} (the launcher and builder will refuse to load this)`);
  for (const issue of result.warnings) output.out(`${formatIssue({ ...issue, file: shown(issue.file) })} (warning)`);
  if (result.errors.length > 0) {
    output.err(`${shown(file)}: ${result.errors.length} ${result.errors.length === 1 ? 'error' : 'errors'}; the configuration is not valid`);
    return 1;
  }
  output.err(`${shown(file)}: the configuration is valid`);
  return 0;
}
