import { watch, type FSWatcher } from 'node:fs';
import { EventEmitter } from 'node:events';
import { basename, dirname } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { getLogger } from '../log.js';
import { formatIssue, type ConfigIssue } from './issues.js';
import { loadConfig, validateConfig, warnValidatorOnly, type ConfigValidation, type LoadConfigOptions } from './load-config.js';
import type { NodepoolConfig } from './nodepool-config.js';

/** What a successful reload changed. */
export interface ConfigChange {
  previous: NodepoolConfig;
  current: NodepoolConfig;
  /** Provider names by what happened to them; untouched providers are in none of the lists. */
  providers: { added: string[]; removed: string[]; changed: string[] };
}

export interface ConfigWatcherEvents {
  /** A valid new configuration is in force. */
  change: [ConfigChange];
  /** The file changed but is not valid; the previous configuration stays in force. */
  invalid: [ConfigIssue[]];
}

/** Which providers a reload added, removed or changed (compared as written in the file). */
export function diffProviders(previous: NodepoolConfig, current: NodepoolConfig): ConfigChange['providers'] {
  const added: string[] = [];
  const changed: string[] = [];
  for (const [name, provider] of current.providers) {
    const before = previous.providers.get(name);
    if (!before) added.push(name);
    else if (!isDeepStrictEqual(before.raw, provider.raw)) changed.push(name);
  }
  const removed = [...previous.providers.keys()].filter((name) => !current.providers.has(name));
  return { added, removed, changed };
}

/**
 * Keeps a daemon's configuration current: watches the configuration file (and the secure
 * file), reloads when either changes, and applies only valid files. An invalid file is logged
 * with every problem and the running configuration stays.
 */
export class ConfigWatcher extends EventEmitter<ConfigWatcherEvents> {
  private readonly log = getLogger('nodepool.ConfigWatcher');
  private config: NodepoolConfig | undefined;
  private watchers: FSWatcher[] = [];
  private timer: NodeJS.Timeout | undefined;
  private reloading: Promise<boolean> | undefined;
  private pending = false;

  constructor(
    readonly file: string,
    private readonly options: LoadConfigOptions & { debounceMs?: number },
  ) {
    super();
  }

  /** The configuration in force. */
  get current(): NodepoolConfig {
    if (!this.config) throw new Error('ConfigWatcher.start() has not loaded a configuration yet');
    return this.config;
  }

  /** Loads the file (throws ConfigError if it is invalid) and starts watching. */
  async start(): Promise<NodepoolConfig> {
    this.config = await loadConfig(this.file, this.options);
    // Editors replace files rather than rewrite them, so watch the directories, not the files.
    const files = [this.file, ...(this.options.secureFile ? [this.options.secureFile] : [])];
    for (const dir of new Set(files.map((file) => dirname(file)))) {
      const names = new Set(files.filter((file) => dirname(file) === dir).map((file) => basename(file)));
      const watcher = watch(dir, (_event, name) => {
        if (name && names.has(name.toString())) this.schedule();
      });
      watcher.on('error', (error) => this.log.warn('configuration watch failed', { dir, error: String(error) }));
      this.watchers.push(watcher);
    }
    return this.config;
  }

  stop(): void {
    for (const watcher of this.watchers) watcher.close();
    this.watchers = [];
    if (this.timer) clearTimeout(this.timer);
  }

  /** Reloads now (also for SIGHUP). Resolves true when a new configuration was applied. */
  async reload(): Promise<boolean> {
    if (this.reloading) {
      this.pending = true;
      return this.reloading;
    }
    this.reloading = this.reloadOnce().finally(() => {
      this.reloading = undefined;
      if (this.pending) {
        this.pending = false;
        void this.reload();
      }
    });
    return this.reloading;
  }

  private schedule(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.reload(), this.options.debounceMs ?? 300);
  }

  private async reloadOnce(): Promise<boolean> {
    const previous = this.current;
    let result: ConfigValidation;
    try {
      result = await validateConfig(this.file, this.options);
    } catch (error) {
      // validateConfig reports bad input as issues; anything thrown is a defect somewhere
      // (a driver's parser, say), and still must not take the daemon down with it.
      result = { errors: [{ file: this.file, path: [], message: `cannot load the configuration: ${String(error)}` }], loadErrors: [], warnings: [] };
    }
    if (!result.config) {
      const issues = [...result.errors, ...result.loadErrors];
      this.log.error('the configuration is not valid; keeping the one in force', { file: this.file, problems: issues.map(formatIssue) });
      this.emit('invalid', issues);
      return false;
    }
    if (isDeepStrictEqual(stripFile(previous), stripFile(result.config))) return false;
    warnValidatorOnly(result);
    this.config = result.config;
    const providers = diffProviders(previous, result.config);
    this.log.info('configuration reloaded', { file: this.file, ...providers });
    this.emit('change', { previous, current: result.config, providers });
    return true;
  }
}

function stripFile(config: NodepoolConfig): unknown {
  return { ...config, providers: [...config.providers.entries()].map(([name, provider]) => [name, provider.raw]) };
}
