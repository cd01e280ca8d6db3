/** A path into the configuration: mapping keys and list indexes. */
export type ConfigPath = readonly (string | number)[];

/** One problem with a configuration, located by its key path. */
export interface ConfigIssue {
  path: ConfigPath;
  message: string;
  /** The file it was found in, when known. */
  file?: string;
  /** The line in that file, when known. */
  line?: number;
  /**
   * Nodepool 9.0.0's validator rejects this, but its daemons load the file anyway (an integer
   * where the schema wants a float, a key the schema lacks but the loader reads). The verdict of
   * `config-validate` counts it; our daemons load the file, as the original's do, and warn.
   */
  validatorOnly?: boolean;
}

/** Whether a daemon must refuse a file with these problems (see `ConfigIssue.validatorOnly`). */
export function blocksLoading(issues: readonly ConfigIssue[]): boolean {
  return issues.some((issue) => !issue.validatorOnly);
}

/** `providers[2].pools[0].labels[1].flavor-name` */
export function formatPath(path: ConfigPath): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else out += out === '' ? segment : `.${segment}`;
  }
  return out;
}

/** `nodepool.yaml:41 providers[2].pools[0].labels[1].flavor-name: expected a string` */
export function formatIssue(issue: ConfigIssue): string {
  const where = issue.file ? `${issue.file}${issue.line ? `:${issue.line}` : ''} ` : '';
  const path = formatPath(issue.path);
  return `${where}${path ? `${path}: ` : ''}${issue.message}`;
}

/** A configuration with problems; `issues` holds every one of them, not just the first. */
export class ConfigError extends Error {
  override name = 'ConfigError';
  constructor(readonly issues: readonly ConfigIssue[]) {
    super(issues.length === 1 ? formatIssue(issues[0]!) : `${issues.length} configuration problems:\n${issues.map(formatIssue).join('\n')}`);
  }
}
